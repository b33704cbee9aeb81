using Microsoft.AspNetCore.Http;
using Microsoft.DurableTask.Client;
using Microsoft.Extensions.DependencyInjection;

namespace ServerlessRec.Http;

/// <summary>
/// The API's routes: the single list both hosts map (the Functions app with one thin trigger per entry, the
/// CLI's <c>serve</c> with Kestrel). A test asserts the Functions app's metadata matches it exactly.
/// </summary>
public static class RouteTable
{
    /// <summary>The path prefix of every route (the Functions host's <c>routePrefix</c>).</summary>
    public const string Prefix = "api";

    /// <summary>
    /// The template of the route that answers 404 problem+json for paths under <see cref="Prefix"/> that no other route
    /// can match: any path whose first segment is not the first segment of another route. The Functions host matches
    /// routes in the order it registers functions (by name), not by ASP.NET Core precedence, so a plain <c>{*path}</c>
    /// could take requests meant for real routes; with this constraint it cannot, in any order. A test checks the list
    /// against the other routes.
    /// </summary>
    public const string UnknownRouteTemplate = "{*path:regex(^(?!(recommendations|events|items|users|retrain|health|models|status|openapi\\.json)(/|$)))}";

    /// <summary>The method of a route that answers every method.</summary>
    public const string AnyMethod = "*";

    /// <summary>The template of <c>GET /api/items/{itemId}/similar</c>.</summary>
    public const string SimilarItemsTemplate = "items/{itemId}/similar";

    /// <summary>The template of <c>DELETE /api/items/{itemId}</c>.</summary>
    public const string DeleteItemTemplate = "items/{itemId}";

    /// <summary>The template of <c>GET /api/users/{userId}/vector</c>.</summary>
    public const string UserVectorTemplate = "users/{userId}/vector";

    /// <summary>The template of <c>GET /api/users/{userId}/export</c>.</summary>
    public const string ExportUserTemplate = "users/{userId}/export";

    /// <summary>The template of <c>DELETE /api/users/{userId}</c>.</summary>
    public const string ForgetUserTemplate = "users/{userId}";

    /// <summary>The template of <c>POST /api/models/{version}/activate</c>.</summary>
    public const string ActivateModelTemplate = "models/{version}/activate";

    /// <summary>The template of <c>POST /api/models/{version}/challenge</c>.</summary>
    public const string ChallengeModelTemplate = "models/{version}/challenge";

    /// <summary>The template of <c>DELETE /api/models/challenger</c>.</summary>
    public const string StopChallengerTemplate = "models/challenger";

    /// <summary>The template of <c>POST /api/models/challenger/promote</c>; its last segment differs from <see cref="ActivateModelTemplate"/>'s and <see cref="ChallengeModelTemplate"/>'s, so neither captures it with version <c>challenger</c>.</summary>
    public const string PromoteChallengerTemplate = "models/challenger/promote";

    /// <summary>The template of <c>GET /api/openapi.json</c>, the API's OpenAPI document (<see cref="ApiDocument"/>).</summary>
    public const string OpenApiTemplate = "openapi.json";

    /// <summary>Gets every route.</summary>
    /// <remarks>
    /// The retraining routes are <c>/api/retrain</c>, not <c>/api/admin/retrain</c>: the Functions host refuses any
    /// function route that starts with <c>admin</c> or <c>runtime</c> (its built-in routes), even below <c>/api</c>.
    /// Who may call a route comes from its <see cref="RouteGroup"/> instead (see <see cref="RouteAccess"/>).
    /// </remarks>
    public static IReadOnlyList<ApiRoute> Routes { get; } =
    [
        new("Recommendations", HttpMethods.Post, "recommendations", RouteGroup.Serving, (s, r, c) => Serving(s).RecommendAsync(r, c)),
        new("PostEvents", HttpMethods.Post, "events", RouteGroup.Serving, (s, r, c) => Serving(s).PostEventsAsync(r, c)),
        new("SimilarItems", HttpMethods.Get, SimilarItemsTemplate, RouteGroup.Serving, (s, r, c) => Serving(s).SimilarAsync(r, RouteIds.FromPath(r, SimilarItemsTemplate, "itemId"), c)),
        new("SimilarItemsByQuery", HttpMethods.Get, "items/similar", RouteGroup.Serving, (s, r, c) => Serving(s).SimilarByQueryAsync(r, c)),
        new("PutItems", HttpMethods.Put, "items", RouteGroup.Operations, (s, r, c) => Catalog(s).PutAsync(r, c)),
        new("DeleteItem", HttpMethods.Delete, DeleteItemTemplate, RouteGroup.Operations, (s, r, c) => Catalog(s).DeleteAsync(r, RouteIds.FromPath(r, DeleteItemTemplate, "itemId"), c)),
        new("DeleteItemByQuery", HttpMethods.Delete, "items", RouteGroup.Operations, (s, r, c) => Catalog(s).DeleteByQueryAsync(r, c)),
        new("UserVector", HttpMethods.Get, UserVectorTemplate, RouteGroup.Privacy, (s, r, c) => Serving(s).UserVectorAsync(r, RouteIds.FromPath(r, UserVectorTemplate, "userId"), c)),
        new("UserVectorByQuery", HttpMethods.Get, "users/vector", RouteGroup.Privacy, (s, r, c) => Serving(s).UserVectorByQueryAsync(r, c)),
        new("ExportUser", HttpMethods.Get, ExportUserTemplate, RouteGroup.Privacy, (s, r, c) => Serving(s).ExportUserAsync(r, RouteIds.FromPath(r, ExportUserTemplate, "userId"), c)),
        new("ExportUserByQuery", HttpMethods.Get, "users/export", RouteGroup.Privacy, (s, r, c) => Serving(s).ExportUserByQueryAsync(r, c)),
        new("ForgetUser", HttpMethods.Delete, ForgetUserTemplate, RouteGroup.Privacy, (s, r, c) => Serving(s).ForgetUserAsync(r, RouteIds.FromPath(r, ForgetUserTemplate, "userId"), c)),
        new("ForgetUserByQuery", HttpMethods.Delete, "users", RouteGroup.Privacy, (s, r, c) => Serving(s).ForgetUserByQueryAsync(r, c)),
        new("StartRetrain", HttpMethods.Post, "retrain", RouteGroup.Operations, (s, r, c) => Retrain(s).StartAsync(r, s.GetService<DurableTaskClient>(), c)),
        new("RetrainStatus", HttpMethods.Get, "retrain/{instanceId}", RouteGroup.Operations, (s, r, c) => Retrain(s).StatusAsync(r, s.GetService<DurableTaskClient>(), RouteValue(r, "instanceId"), c)),
        new("ActivateModel", HttpMethods.Post, ActivateModelTemplate, RouteGroup.Operations, (s, r, c) => Models(s).ActivateAsync(r, RouteIds.FromPath(r, ActivateModelTemplate, "version"), c)),
        new("ChallengeModel", HttpMethods.Post, ChallengeModelTemplate, RouteGroup.Operations, (s, r, c) => Models(s).ChallengeAsync(r, RouteIds.FromPath(r, ChallengeModelTemplate, "version"), c)),
        new("StopChallenger", HttpMethods.Delete, StopChallengerTemplate, RouteGroup.Operations, (s, r, c) => Models(s).StopChallengeAsync(r, c)),
        new("PromoteChallenger", HttpMethods.Post, PromoteChallengerTemplate, RouteGroup.Operations, (s, r, c) => Models(s).PromoteChallengerAsync(r, c)),
        new("Status", HttpMethods.Get, "status", RouteGroup.Operations, (s, r, c) => Models(s).StatusAsync(r, c)),
        new("Health", HttpMethods.Get, "health", RouteGroup.Serving, (s, r, c) => Serving(s).HealthAsync(r, c)),
        new("OpenApi", HttpMethods.Get, OpenApiTemplate, RouteGroup.Serving, (s, r, c) => s.GetRequiredService<OpenApiEndpoints>().GetAsync(r, c)),
        new("UnknownRoute", AnyMethod, UnknownRouteTemplate, RouteGroup.Serving, (s, r, c) => Task.FromResult(ApiProblems.ForStatus(StatusCodes.Status404NotFound, ApiProblems.NoRouteDetail))),
    ];

    private static ServingEndpoints Serving(IServiceProvider services) => services.GetRequiredService<ServingEndpoints>();

    private static CatalogEndpoints Catalog(IServiceProvider services) => services.GetRequiredService<CatalogEndpoints>();

    private static RetrainEndpoints Retrain(IServiceProvider services) => services.GetRequiredService<RetrainEndpoints>();

    private static ModelEndpoints Models(IServiceProvider services) => services.GetRequiredService<ModelEndpoints>();

    private static string RouteValue(HttpRequest request, string name) =>
        request.RouteValues.TryGetValue(name, out var value) ? Convert.ToString(value, System.Globalization.CultureInfo.InvariantCulture) ?? string.Empty : string.Empty;
}
