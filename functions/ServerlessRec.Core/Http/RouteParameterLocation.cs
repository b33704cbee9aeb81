namespace ServerlessRec.Http;

/// <summary>Where a documented request parameter is sent.</summary>
public enum RouteParameterLocation
{
    /// <summary>In the query string.</summary>
    Query,

    /// <summary>In a request header.</summary>
    Header,
}
