using System.Collections.Immutable;
using System.Text;
using Microsoft.AspNetCore.Http;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.DependencyInjection;
using ServerlessRec.Functions.Http;
using ServerlessRec.Http;

namespace ServerlessRec.Functions.Tests;

/// <summary>
/// Every HTTP function of the route table goes through <see cref="RouteAccess"/> before it runs: a refused caller gets
/// the problem answer and the function body never runs; an admitted one reaches it.
/// </summary>
public sealed class RouteAccessMiddlewareTests
{
    private const string WebApp = "11111111-1111-1111-1111-111111111111";

    [Theory]
    [InlineData("ForgetUser")]
    [InlineData("UserVector")]
    [InlineData("StartRetrain")]
    public async Task Invoke_ServingCallerOnAnotherGroupsFunction_Answers403WithoutRunningIt(string functionName)
    {
        var http = CreateHttp(Principal(WebApp));
        var ran = false;

        await CreateSut().Invoke(new TestFunctionContext(functionName, http), _ => { ran = true; return Task.CompletedTask; });

        Assert.False(ran);
        Assert.Equal(403, http.Response.StatusCode);
        Assert.Equal(ApiProblems.ContentType, http.Response.ContentType);
    }

    [Fact]
    public async Task Invoke_ServingCallerOnRecommendations_RunsTheFunction()
    {
        var http = CreateHttp(Principal(WebApp));
        var ran = false;

        await CreateSut().Invoke(new TestFunctionContext("Recommendations", http), _ => { ran = true; return Task.CompletedTask; });

        Assert.True(ran);
    }

    [Fact]
    public async Task Invoke_NonHttpFunction_RunsWithoutACheck()
    {
        var ran = false;

        await CreateSut().Invoke(new TestFunctionContext("RetrainTimer", http: null), _ => { ran = true; return Task.CompletedTask; });

        Assert.True(ran);
    }

    private static RouteAccessMiddleware CreateSut() =>
        new(new RouteAccess(new AccessOptions { Mode = AccessMode.Entra, ServingCallers = WebApp }, principalHeaderTrusted: true));

    private static DefaultHttpContext CreateHttp(string principal)
    {
        var http = new DefaultHttpContext { RequestServices = new ServiceCollection().AddLogging().BuildServiceProvider() };
        http.Request.Headers[RouteAccess.PrincipalHeader] = principal;
        http.Response.Body = new MemoryStream();
        return http;
    }

    private static string Principal(string objectId) =>
        Convert.ToBase64String(Encoding.UTF8.GetBytes($$"""{"auth_typ":"aad","claims":[{"typ":"oid","val":"{{objectId}}"}]}"""));

    private sealed class TestFunctionContext : FunctionContext
    {
        public TestFunctionContext(string functionName, HttpContext? http)
        {
            FunctionDefinition = new TestFunctionDefinition(functionName);
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

        public override FunctionDefinition FunctionDefinition { get; }

        public override IDictionary<object, object> Items { get; set; } = new Dictionary<object, object>();

        public override Microsoft.Azure.Functions.Worker.IInvocationFeatures Features => throw new NotSupportedException();
    }

    private sealed class TestFunctionDefinition(string name) : FunctionDefinition
    {
        public override ImmutableArray<FunctionParameter> Parameters => [];

        public override string PathToAssembly => string.Empty;

        public override string EntryPoint => string.Empty;

        public override string Id => name;

        public override string Name => name;

        public override IImmutableDictionary<string, BindingMetadata> InputBindings => ImmutableDictionary<string, BindingMetadata>.Empty;

        public override IImmutableDictionary<string, BindingMetadata> OutputBindings => ImmutableDictionary<string, BindingMetadata>.Empty;
    }
}
