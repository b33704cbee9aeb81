namespace ServerlessRec.Http;

/// <summary>A query or header parameter of a route (path parameters come from its template).</summary>
/// <param name="Name">The parameter's name.</param>
/// <param name="In">Where it is sent.</param>
/// <param name="Type">Its type: <see cref="string"/>, <see cref="int"/> or <see cref="bool"/>.</param>
/// <param name="Required">Whether a request must carry it.</param>
/// <param name="Description">What it does, with its default.</param>
public sealed record RouteParameter(string Name, RouteParameterLocation In, Type Type, bool Required, string Description);
