using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.StaticFiles;
using Microsoft.Extensions.FileProviders;
using ServerlessRec.Catalog;
using ServerlessRec.Events;
using ServerlessRec.Storage;

namespace ServerlessRec.Cli.Commands;

[JsonSerializable(typeof(SampleCatalog))]
internal sealed partial class SampleJsonContext : JsonSerializerContext;
