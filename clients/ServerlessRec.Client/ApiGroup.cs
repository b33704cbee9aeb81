namespace ServerlessRec.Client;

/// <summary>The caller group of a route (the server's <c>RouteGroup</c>): it picks the function key.</summary>
internal enum ApiGroup
{
    Serving,
    Privacy,
    Operations,
}
