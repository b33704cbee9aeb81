using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using ServerlessRec.Functions.Http;
using ServerlessRec.Http;

namespace ServerlessRec.Functions.Tests;

/// <summary>
/// An exception that escapes an HTTP function becomes the API's problem+json 500 (no message, no stack trace), as in
/// <c>serve</c>; other triggers keep the exception. The function context carries the request's <see cref="HttpContext"/>
/// the way the ASP.NET Core integration does (<see cref="FunctionContextExtensions.GetHttpContext"/>).
/// </summary>
public sealed class ProblemExceptionMiddlewareTests
{
    [Fact]
    public async Task Invoke_HttpFunctionThrows_Writes500ProblemWithoutInternals()
    {
        var http = new DefaultHttpContext { RequestServices = new ServiceCollection().AddLogging().BuildServiceProvider() };
        using var body = new MemoryStream();
        http.Response.Body = body;
        var sut = new ProblemExceptionMiddleware(NullLogger<ProblemExceptionMiddleware>.Instance);

        await sut.Invoke(new TestFunctionContext(http), _ => throw new InvalidOperationException("secret /home/site/data path"));

        Assert.Equal(500, http.Response.StatusCode);
        Assert.Equal(ApiProblems.ContentType, http.Response.ContentType);
        var text = System.Text.Encoding.UTF8.GetString(body.ToArray());
        using var problem = JsonDocument.Parse(text);
        Assert.Equal(500, problem.RootElement.GetProperty("status").GetInt32());
        Assert.Equal(ApiProblems.InternalErrorDetail, problem.RootElement.GetProperty("detail").GetString());
        Assert.DoesNotContain("secret", text, StringComparison.Ordinal);
        Assert.DoesNotContain("Exception", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Invoke_NonHttpFunctionThrows_Rethrows()
    {
        var sut = new ProblemExceptionMiddleware(NullLogger<ProblemExceptionMiddleware>.Instance);

        await Assert.ThrowsAsync<InvalidOperationException>(() => sut.Invoke(new TestFunctionContext(http: null), _ => throw new InvalidOperationException("timer failed")));
    }

    [Fact]
    public async Task Invoke_HttpFunctionSucceeds_LeavesTheResponseAlone()
    {
        var http = new DefaultHttpContext();
        var sut = new ProblemExceptionMiddleware(NullLogger<ProblemExceptionMiddleware>.Instance);

        await sut.Invoke(new TestFunctionContext(http), _ => Task.CompletedTask);

        Assert.Equal(200, http.Response.StatusCode);
        Assert.Null(http.Response.ContentType);
    }

    private sealed class TestFunctionContext : FunctionContext
    {
        public TestFunctionContext(HttpContext? http)
        {
            if (http is not null)
            {
                // The key the ASP.NET Core integration stores the request under (read by GetHttpContext).
                Items["HttpRequestContext"] = http;
            }
        }

        public override string InvocationId => "test";

        public override string FunctionId => "test";

        public override TraceContext TraceContext => throw new NotSupportedException();

        public override BindingContext BindingContext => throw new NotSupportedException();

        public override RetryContext RetryContext => throw new NotSupportedException();

        public override IServiceProvider InstanceServices { get; set; } = new ServiceCollection().BuildServiceProvider();

        public override FunctionDefinition FunctionDefinition => throw new NotSupportedException();

        public override IDictionary<object, object> Items { get; set; } = new Dictionary<object, object>();

        public override Microsoft.Azure.Functions.Worker.IInvocationFeatures Features => throw new NotSupportedException();
    }
}
