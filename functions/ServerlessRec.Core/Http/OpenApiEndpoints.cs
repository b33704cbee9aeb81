using System.Text;
using Microsoft.AspNetCore.Http;

namespace ServerlessRec.Http;

/// <summary>
/// <c>GET /api/openapi.json</c>: the API's OpenAPI document (<see cref="ApiDocument"/>), generated once per process on
/// first request and then answered from memory (it only changes with the code).
/// </summary>
public sealed class OpenApiEndpoints
{
    private readonly Lazy<Task<string>> _document;

    /// <summary>Creates the handler over a way to write the document.</summary>
    /// <param name="writeDocumentAsync">Writes the document as JSON: <see cref="ApiDocument.WriteJsonAsync"/> on the host's own services, or <see cref="ApiDocument.RenderAsync"/>.</param>
    public OpenApiEndpoints(Func<CancellationToken, Task<string>> writeDocumentAsync)
    {
        ArgumentNullException.ThrowIfNull(writeDocumentAsync);
        // Not the first caller's token: a cancelled first request must not leave a cancelled document behind.
        _document = new(() => writeDocumentAsync(CancellationToken.None));
    }

    /// <summary>The handler of a host that maps no ASP.NET Core endpoints (the Functions app): renders the document from the route table.</summary>
    public static OpenApiEndpoints Rendered() => new(ApiDocument.RenderAsync);

    /// <summary>Answers the document.</summary>
    public async Task<IResult> GetAsync(HttpRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        var json = await _document.Value.WaitAsync(cancellationToken).ConfigureAwait(false);
        return Results.Text(json, ApiDocument.JsonContentType, Encoding.UTF8);
    }
}
