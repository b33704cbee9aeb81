using System.Text.Json.Serialization;

namespace ServerlessRec.Client;

/// <summary>
/// Source-generated JSON metadata for every body the client writes or reads. Nulls are not written: the API refuses
/// properties it does not define, and an omitted optional property takes the server's default.
/// </summary>
[JsonSourceGenerationOptions(DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(RecommendationRequest))]
[JsonSerializable(typeof(RecommendationResponse))]
[JsonSerializable(typeof(EventBatchRequest))]
[JsonSerializable(typeof(EventBatchResult))]
[JsonSerializable(typeof(PutItemsRequest))]
[JsonSerializable(typeof(CatalogUpdateResult))]
[JsonSerializable(typeof(UserVector))]
[JsonSerializable(typeof(UserDataExport))]
[JsonSerializable(typeof(ForgetUserResult))]
[JsonSerializable(typeof(HealthStatus))]
[JsonSerializable(typeof(EmptyRequest))]
[JsonSerializable(typeof(RetrainStart))]
[JsonSerializable(typeof(RetrainStatus))]
[JsonSerializable(typeof(ModelActivationRequest))]
[JsonSerializable(typeof(ModelActivation))]
[JsonSerializable(typeof(ModelStatus))]
[JsonSerializable(typeof(ServerlessRecProblem))]
internal sealed partial class ClientJsonContext : JsonSerializerContext;
