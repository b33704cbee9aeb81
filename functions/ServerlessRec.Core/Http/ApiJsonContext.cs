using ServerlessRec.Pipeline;
using System.Text.Json.Serialization;
using ServerlessRec.Serving;

namespace ServerlessRec.Http;

/// <summary>Source-generated JSON metadata for every body the API writes (no reflection per response).</summary>
/// <remarks>
/// Request bodies are read with <see cref="RequestBody.Options"/> instead: source-generated metadata sets every
/// init-only property through a constructor delegate, so an omitted <c>k</c> would read as 0 and an omitted
/// <c>excludeSeen</c> as false instead of the contract's defaults (10, true).
/// </remarks>
// Strict defaults on purpose: no numbers in strings, no comments, exact (camelCase) property names.
[JsonSourceGenerationOptions]
[JsonSerializable(typeof(RecommendationResponse))]
[JsonSerializable(typeof(EventBatchResponse))]
[JsonSerializable(typeof(UserVectorResponse))]
[JsonSerializable(typeof(HealthResponse))]
[JsonSerializable(typeof(ForgetUserResponse))]
[JsonSerializable(typeof(UserDataExport))]
[JsonSerializable(typeof(RetrainStartResponse))]
[JsonSerializable(typeof(RetrainStatusResponse))]
[JsonSerializable(typeof(ApiProblem))]
[JsonSerializable(typeof(ModelStatus))]
[JsonSerializable(typeof(ModelActivationResponse))]
[JsonSerializable(typeof(ModelChallengerResponse))]
[JsonSerializable(typeof(CatalogUpdateResponse))]
public sealed partial class ApiJsonContext : JsonSerializerContext;
