namespace ServerlessRec.Http;

/// <summary>How the Functions app authorises a caller.</summary>
public enum AccessMode
{
    /// <summary>
    /// The Functions host checks a key per function (<c>AuthorizationLevel.Function</c>); the app adds no check. Give
    /// each caller the keys of its group's functions only.
    /// </summary>
    FunctionKeys,

    /// <summary>
    /// App Service authentication validates an Entra ID token; the app admits the caller to a route only if its id is
    /// listed for the route's group or it holds the group's app role. The host still checks the function key too.
    /// </summary>
    Entra,
}
