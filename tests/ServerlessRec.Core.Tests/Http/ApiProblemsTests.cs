using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Logging.Abstractions;
using ServerlessRec.Http;
using ServerlessRec.Serving;

namespace ServerlessRec.Core.Tests.Http;

public sealed class ApiProblemsTests
{
    [Fact]
    public void FromException_UnexpectedException_Is500WithoutItsMessage()
    {
        var result = ApiProblems.FromException(new InvalidOperationException("secret /var/data path"), NullLogger.Instance);

        var problem = Problem(result);
        Assert.Equal(500, problem.Status);
        Assert.DoesNotContain("secret", problem.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public void FromException_JsonExceptionWithPath_Is400NamingTheField()
    {
        var exception = Assert.ThrowsAny<JsonException>(() => JsonSerializer.Deserialize<RecommendationRequest>("""{"userId":"u","recentEvents":[{"timestamp":"yesterday"}]}""", RequestBody.Options));

        var problem = Problem(ApiProblems.FromException(exception, NullLogger.Instance));

        Assert.Equal(400, problem.Status);
        Assert.Equal("recentEvents[0].timestamp", problem.Field);
    }

    [Fact]
    public void FromException_Kinds_MapToTheirStatusCodes()
    {
        Assert.Equal(400, Problem(ApiProblems.FromException(new RequestValidationException("k", "k bad"), NullLogger.Instance)).Status);
        Assert.Equal(404, Problem(ApiProblems.FromException(new NotFoundException("itemId", "no"), NullLogger.Instance)).Status);
        Assert.Equal(503, Problem(ApiProblems.FromException(new ModelUnavailableException("none"), NullLogger.Instance)).Status);
        Assert.Equal(413, Problem(ApiProblems.FromException(new BadHttpRequestException("big", 413), NullLogger.Instance)).Status);
    }

    [Fact]
    public void RequestBodyOptions_OmittedProperties_KeepTheContractDefaults()
    {
        var request = JsonSerializer.Deserialize<RecommendationRequest>("""{"userId":"u"}""", RequestBody.Options)!;

        Assert.Equal(10, request.K);
        Assert.True(request.ExcludeSeen);
    }

    private static ApiProblem Problem(IResult result)
    {
        var json = Assert.IsType<JsonHttpResult<ApiProblem>>(result);
        Assert.Equal(ApiProblems.ContentType, json.ContentType);
        return json.Value!;
    }
}
