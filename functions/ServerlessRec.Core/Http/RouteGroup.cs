namespace ServerlessRec.Http;

/// <summary>
/// Which callers a route is for. Each group is authorised on its own (see <see cref="RouteAccess"/>), so a caller
/// trusted for one group reaches no route of another.
/// </summary>
public enum RouteGroup
{
    /// <summary>
    /// Recommendations, events, similar items, health: called by the web app's back end, which is trusted to pass the
    /// signed-in user's id (never an id taken from the browser).
    /// </summary>
    Serving,

    /// <summary>A user's vector, export and forget: called by the team's support and privacy tooling for any user.</summary>
    Privacy,

    /// <summary>Starting a retraining and reading its status, and the catalog (<c>PUT</c>/<c>DELETE /api/items</c>): called by operators and their automation.</summary>
    Operations,
}
