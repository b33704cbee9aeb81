using System.Text.Json.Serialization;

namespace ServerlessRec.Cli.Commands;

[JsonSerializable(typeof(SampleCatalog))]
internal sealed partial class SampleJsonContext : JsonSerializerContext;
