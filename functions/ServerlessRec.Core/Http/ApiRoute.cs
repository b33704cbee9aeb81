using Microsoft.AspNetCore.Http;
using Microsoft.DurableTask.Client;

namespace ServerlessRec.Http;

/// <summary>One HTTP route of the API.</summary>
/// <param name="Name">The function name in the Functions app.</param>
/// <param name="Method">The HTTP method, upper case, or <see cref="RouteTable.AnyMethod"/>.</param>
/// <param name="Template">The route template below <see cref="RouteTable.Prefix"/>, e.g. <c>items/{itemId}/similar</c>.</param>
/// <param name="Group">Who may call it: its callers are authorised per group by <see cref="RouteAccess"/>.</param>
/// <param name="Handler">
/// The Core handler, given the host's services (<see cref="ServingEndpoints"/>, <see cref="RetrainEndpoints"/> and,
/// for the retraining routes, a <see cref="DurableTaskClient"/>); route values are read from <see cref="HttpRequest.RouteValues"/>.
/// </param>
public sealed record ApiRoute(
    string Name,
    string Method,
    string Template,
    RouteGroup Group,
    Func<IServiceProvider, HttpRequest, CancellationToken, Task<IResult>> Handler);
