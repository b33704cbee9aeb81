using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.Routing.Constraints;
using Microsoft.AspNetCore.Routing.Template;
using ServerlessRec.Http;

namespace ServerlessRec.Core.Tests.Http;

/// <summary>
/// The unknown-route entry can never take a request meant for another route: the Functions host tries routes in its
/// own order (not by ASP.NET Core precedence), so its constraint, not precedence, keeps it off every real path.
/// </summary>
public sealed class RouteTableTests
{
    public static TheoryData<string> RealRoutePaths()
    {
        var data = new TheoryData<string>();
        // One path per template: two methods on one template (PUT and DELETE /api/items) are one path.
        foreach (var template in RouteTable.Routes.Where(r => r.Template != RouteTable.UnknownRouteTemplate).Select(r => r.Template).Distinct(StringComparer.Ordinal))
        {
            // Each parameter replaced by a sample value, as a request would fill it.
            data.Add(string.Join('/', TemplateParser.Parse(template).Segments.Select(s => s.IsSimple && s.Parts[0].IsParameter ? "x" : s.Parts[0].Text)));
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(RealRoutePaths))]
    public void UnknownRoute_PathOfARealRoute_DoesNotMatch(string path)
    {
        Assert.False(UnknownRouteMatches(path), path);
        Assert.False(UnknownRouteMatches(path.ToUpperInvariant()), path.ToUpperInvariant());
        Assert.False(UnknownRouteMatches(path + "/more/segments"), path + "/more/segments");
    }

    [Theory]
    [InlineData("nope")]
    [InlineData("recommendation")]
    [InlineData("recommendationsx")]
    [InlineData("eventsx/1")]
    [InlineData("v2/recommendations")]
    public void UnknownRoute_PathNoRouteStartsWith_Matches(string path)
    {
        Assert.True(UnknownRouteMatches(path), path);
    }

    [Fact]
    public void UnknownRoute_IsTheLastEntryAndAnswersEveryMethod()
    {
        var last = RouteTable.Routes[^1];

        Assert.Equal(RouteTable.UnknownRouteTemplate, last.Template);
        Assert.Equal(RouteTable.AnyMethod, last.Method);
    }

    private static bool UnknownRouteMatches(string path)
    {
        var template = TemplateParser.Parse(RouteTable.UnknownRouteTemplate);
        var values = new RouteValueDictionary();
        if (!new TemplateMatcher(template, new RouteValueDictionary()).TryMatch("/" + path, values))
        {
            return false;
        }

        var parameter = Assert.Single(template.Parameters);
        var constraint = Assert.Single(parameter.InlineConstraints).Constraint;
        var pattern = constraint["regex(".Length..^1];
        return new RegexInlineRouteConstraint(pattern).Match(httpContext: null, route: null, parameter.Name!, values, RouteDirection.IncomingRequest);
    }
}
