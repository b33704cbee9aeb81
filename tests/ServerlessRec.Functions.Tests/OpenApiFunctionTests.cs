using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using ServerlessRec.Functions.Http;
using ServerlessRec.Http;

namespace ServerlessRec.Functions.Tests;

/// <summary>
/// The Functions app's <c>GET /api/openapi.json</c> answers the document rendered from the route table, which the CLI
/// tests hold equal to serve's (OpenApiDocumentTests) and validate serve's real answers against.
/// </summary>
public sealed class OpenApiFunctionTests
{
    [Fact]
    public async Task Run_AsRegisteredInTheApp_AnswersTheRenderedDocument()
    {
        // The registration the app's Program makes (AddServingEndpoints), not a hand-built handler.
        await using var services = new ServiceCollection().AddLogging().AddServingEndpoints("test").BuildServiceProvider();
        var context = new DefaultHttpContext { RequestServices = services };
        context.Response.Body = new MemoryStream();

        var result = await new OpenApiFunction(services.GetRequiredService<OpenApiEndpoints>()).RunAsync(context.Request, CancellationToken.None);
        await result.ExecuteAsync(context);

        context.Response.Body.Position = 0;
        Assert.Equal(StatusCodes.Status200OK, context.Response.StatusCode);
        Assert.StartsWith("application/json", context.Response.ContentType, StringComparison.Ordinal);
        Assert.Equal(await ApiDocument.RenderAsync(), await new StreamReader(context.Response.Body).ReadToEndAsync());
    }
}
