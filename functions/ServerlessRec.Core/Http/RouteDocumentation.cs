using Microsoft.AspNetCore.Http;
using ServerlessRec.Pipeline;
using ServerlessRec.Serving;

namespace ServerlessRec.Http;

/// <summary>
/// What the OpenAPI document says about one <see cref="ApiRoute"/>: its summary, request body, success answer, the
/// problem+json statuses it can answer and its query and header parameters.
/// </summary>
/// <param name="Summary">One line on what the route does.</param>
/// <param name="RequestBody">The JSON body type, or <see langword="null"/> when the route takes no body.</param>
/// <param name="SuccessStatus">The status of a successful answer.</param>
/// <param name="Success">The JSON body type of a successful answer, or <see langword="null"/> for a body without a schema (the document itself).</param>
/// <param name="Problems">The problem+json statuses of this route, besides <see cref="RouteDocumentation.CommonProblems"/>.</param>
/// <param name="Parameters">The query and header parameters.</param>
public sealed record RouteDocumentation(
    string Summary,
    Type? RequestBody,
    int SuccessStatus,
    Type? Success,
    IReadOnlyList<int> Problems,
    IReadOnlyList<RouteParameter> Parameters)
{
    /// <summary>
    /// The problem statuses every route can answer: 401 and 403 from the access check (<see cref="RouteAccess"/>, with
    /// Entra ID), 500 for an unexpected failure.
    /// </summary>
    public static IReadOnlyList<int> CommonProblems { get; } = [StatusCodes.Status401Unauthorized, StatusCodes.Status403Forbidden, StatusCodes.Status500InternalServerError];

    // Statuses of the ways a JSON body can be wrong: invalid (400), too large (413), not declared as JSON (415).
    private static readonly int[] s_bodyProblems = [400, 413, 415];

    private static readonly RouteParameter s_k = new("k", RouteParameterLocation.Query, typeof(int), false, $"How many items (1 to {RequestRules.MaxK}); 10 when omitted.");
    private static readonly RouteParameter s_includeUnavailable = new("includeUnavailable", RouteParameterLocation.Query, typeof(bool), false, "Whether unavailable items may be returned; false when omitted.");
    private static readonly RouteParameter s_itemId = new("itemId", RouteParameterLocation.Query, typeof(string), true, "The item id (any characters: the query form of the path route).");
    private static readonly RouteParameter s_userId = new("userId", RouteParameterLocation.Query, typeof(string), true, "The user id (any characters: the query form of the path route).");

    private static readonly Dictionary<string, RouteDocumentation> s_byRoute = new(StringComparer.Ordinal)
    {
        ["Recommendations"] = new("Recommends items for a user, from the stored history and the events sent with the request.", typeof(RecommendationRequest), 200, typeof(RecommendationResponse), [.. s_bodyProblems, 503], []),
        ["PostEvents"] = new("Logs interaction events and adds them to the users' histories.", typeof(EventBatchRequest), 202, typeof(EventBatchResponse), [.. s_bodyProblems, 409, 422, 503],
            [new(IdempotencyMarkers.HeaderName, RouteParameterLocation.Header, typeof(string), false, $"1 to {IdempotencyMarkers.MaxKeyLength} visible ASCII characters: a repeated post with the same key and events stores nothing twice and answers the first 202.")]),
        ["SimilarItems"] = new("The items closest to an item by vector.", null, 200, typeof(RecommendationResponse), [400, 404, 503], [s_k, s_includeUnavailable]),
        ["SimilarItemsByQuery"] = new("The items closest to an item by vector (item id in the query).", null, 200, typeof(RecommendationResponse), [400, 404, 503], [s_itemId, s_k, s_includeUnavailable]),
        ["PutItems"] = new("Adds or replaces catalog items without retraining.", typeof(PutCatalogRequest), 200, typeof(CatalogUpdateResponse), [.. s_bodyProblems, 409], []),
        ["DeleteItem"] = new("Removes an item from the catalog: it is never recommended again.", null, 200, typeof(CatalogUpdateResponse), [400, 409], []),
        ["DeleteItemByQuery"] = new("Removes an item from the catalog (item id in the query).", null, 200, typeof(CatalogUpdateResponse), [400, 409], [s_itemId]),
        ["UserVector"] = new("The user's vector under the live model.", null, 200, typeof(UserVectorResponse), [400, 404, 503], []),
        ["UserVectorByQuery"] = new("The user's vector under the live model (user id in the query).", null, 200, typeof(UserVectorResponse), [400, 404, 503], [s_userId]),
        ["ExportUser"] = new("Everything stored about a user (right of access).", null, 200, typeof(UserDataExport), [400], []),
        ["ExportUserByQuery"] = new("Everything stored about a user (user id in the query).", null, 200, typeof(UserDataExport), [400], [s_userId]),
        ["ForgetUser"] = new("Forgets a user: a tombstone, and the history emptied for good.", null, 200, typeof(ForgetUserResponse), [400, 409], []),
        ["ForgetUserByQuery"] = new("Forgets a user (user id in the query).", null, 200, typeof(ForgetUserResponse), [400, 409], [s_userId]),
        ["StartRetrain"] = new("Starts the singleton retraining; poll the Location.", typeof(RetrainStartRequest), 202, typeof(RetrainStartResponse), [.. s_bodyProblems, 409, 503], []),
        ["RetrainStatus"] = new("A retraining's status, current step and outcome.", null, 200, typeof(RetrainStatusResponse), [400, 404, 503], []),
        ["ActivateModel"] = new("Makes a kept model version live again (rollback), after checking its files and index.", typeof(ModelActivationRequest), 200, typeof(ModelActivationResponse), [.. s_bodyProblems, 404, 409], []),
        ["ChallengeModel"] = new("Serves a kept model version to a share of the users beside the live one (champion/challenger), after checking its files and index.", typeof(ModelChallengeRequest), 200, typeof(ModelChallengerResponse), [.. s_bodyProblems, 404, 409], []),
        ["PromoteChallenger"] = new("Makes the challenger the live version (after checking its files and index) and ends the challenge.", typeof(ModelActivationRequest), 200, typeof(ModelActivationResponse), [.. s_bodyProblems, 404, 409], []),
        ["StopChallenger"] = new("Stops the challenger: every user gets the live version again.", null, 200, typeof(ModelChallengerResponse), [409], []),
        ["Status"] = new("The live model version, the kept versions and the last runs.", null, 200, typeof(ModelStatus), [400],
            [new("runs", RouteParameterLocation.Query, typeof(int), false, $"How many runs to list (0 to {ModelEndpoints.MaxRuns}); 10 when omitted.")]),
        ["Health"] = new("The live model version and whether serving is degraded; 503 when no model is live.", null, 200, typeof(HealthResponse), [503], []),
        ["OpenApi"] = new("This OpenAPI document.", null, 200, null, [], []),
    };

    /// <summary>Gets the documentation of a route.</summary>
    /// <exception cref="InvalidOperationException">The route has none: every route but the unknown-route entry must be documented here.</exception>
    public static RouteDocumentation For(ApiRoute route)
    {
        ArgumentNullException.ThrowIfNull(route);
        return s_byRoute.TryGetValue(route.Name, out var documentation)
            ? documentation
            : throw new InvalidOperationException($"route {route.Name} has no OpenAPI documentation: add it to {nameof(RouteDocumentation)}");
    }
}
