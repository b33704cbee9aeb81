using System.Text.Json;
using ServerlessRec.Http;

namespace ServerlessRec.Functions.Tests;

/// <summary>The Functions app exposes exactly the <see cref="RouteTable"/>: same names, routes, methods and auth levels.</summary>
public sealed class FunctionsMetadataTests
{
    [Fact]
    public void Metadata_EveryRouteTableEntry_HasAMatchingHttpTrigger()
    {
        var triggers = ReadHttpTriggers();

        foreach (var route in RouteTable.Routes)
        {
            Assert.True(triggers.TryGetValue(route.Name, out var trigger), $"no function \"{route.Name}\" in functions.metadata");
            Assert.Equal(route.Template, trigger.Route);
            // No methods in the binding: the host lets every method through, which is what AnyMethod means.
            Assert.Equal(route.Method == RouteTable.AnyMethod ? [] : [route.Method.ToLowerInvariant()], trigger.Methods);
            Assert.Equal(RouteAccess.FunctionsAuthorizationLevel(route.Group), trigger.AuthLevel);
        }
    }

    [Fact]
    public void Metadata_HttpTriggers_AreNoMoreThanTheRouteTable()
    {
        var triggers = ReadHttpTriggers();

        Assert.Equal(RouteTable.Routes.Select(r => r.Name).Order(StringComparer.Ordinal), triggers.Keys.Order(StringComparer.Ordinal));
    }

    [Fact]
    public void RouteTable_Routes_AvoidTheFunctionsHostsReservedPrefixes()
    {
        // The host refuses function routes starting with "admin" or "runtime", even below the /api prefix.
        Assert.All(RouteTable.Routes, r =>
        {
            Assert.False(r.Template.StartsWith("admin", StringComparison.OrdinalIgnoreCase), r.Template);
            Assert.False(r.Template.StartsWith("runtime", StringComparison.OrdinalIgnoreCase), r.Template);
        });
    }

    [Fact]
    public void Metadata_HttpTriggers_NeedNoMasterKey()
    {
        // Every route has its own function keys; the master key (which manages every key of the app) opens none.
        Assert.All(ReadHttpTriggers(), t => Assert.Equal("Function", t.Value.AuthLevel));
    }

    [Theory]
    [InlineData(RouteGroup.Serving, new[] { "Health", "OpenApi", "PostEvents", "Recommendations", "SimilarItems", "SimilarItemsByQuery", "UnknownRoute" })]
    [InlineData(RouteGroup.Privacy, new[] { "ExportUser", "ExportUserByQuery", "ForgetUser", "ForgetUserByQuery", "UserVector", "UserVectorByQuery" })]
    [InlineData(RouteGroup.Operations, new[] { "ActivateModel", "ChallengeModel", "DeleteItem", "DeleteItemByQuery", "PromoteChallenger", "PutItems", "RetrainStatus", "StartRetrain", "Status", "StopChallenger" })]
    public void RouteTable_Group_HoldsExactlyItsRoutes(RouteGroup group, string[] expected)
    {
        Assert.Equal(expected, RouteTable.Routes.Where(r => r.Group == group).Select(r => r.Name).Order(StringComparer.Ordinal));
    }

    [Fact]
    public void Metadata_Retraining_HasTheOrchestratorEveryActivityAndTheScheduledTimer()
    {
        using var document = JsonDocument.Parse(File.ReadAllText(FindMetadata()));
        var triggers = document.RootElement.EnumerateArray()
            .SelectMany(f => f.GetProperty("bindings").EnumerateArray().Select(b => (Name: f.GetProperty("name").GetString()!, Binding: b)))
            .Where(x => x.Binding.GetProperty("type").GetString()!.EndsWith("Trigger", StringComparison.Ordinal))
            .ToList();
        var activities = typeof(ServerlessRec.Pipeline.RetrainActivities)
            .GetMethods(System.Reflection.BindingFlags.Public | System.Reflection.BindingFlags.Instance | System.Reflection.BindingFlags.DeclaredOnly)
            .Select(m => m.Name)
            .Order(StringComparer.Ordinal);

        Assert.Contains(triggers, t => t.Name == ServerlessRec.Pipeline.RetrainOrchestration.Name && t.Binding.GetProperty("type").GetString() == "orchestrationTrigger");
        Assert.Equal(activities, triggers.Where(t => t.Binding.GetProperty("type").GetString() == "activityTrigger").Select(t => t.Name).Order(StringComparer.Ordinal));
        var timer = Assert.Single(triggers, t => t.Binding.GetProperty("type").GetString() == "timerTrigger");
        Assert.Equal("%" + ServerlessRec.Configuration.AppSettingNames.RetrainSchedule + "%", timer.Binding.GetProperty("schedule").GetString());
    }

    [Fact]
    public void Metadata_RetrainingStarters_BindADurableClient()
    {
        using var document = JsonDocument.Parse(File.ReadAllText(FindMetadata()));
        var withClient = document.RootElement.EnumerateArray()
            .Where(f => f.GetProperty("bindings").EnumerateArray().Any(b => b.GetProperty("type").GetString() == "durableClient"))
            .Select(f => f.GetProperty("name").GetString()!)
            .Order(StringComparer.Ordinal);

        Assert.Equal(["RetrainStatus", "RetrainTimer", "StartRetrain"], withClient);
    }

    private static Dictionary<string, HttpTrigger> ReadHttpTriggers()
    {
        using var document = JsonDocument.Parse(File.ReadAllText(FindMetadata()));
        var triggers = new Dictionary<string, HttpTrigger>(StringComparer.Ordinal);
        foreach (var function in document.RootElement.EnumerateArray())
        {
            foreach (var binding in function.GetProperty("bindings").EnumerateArray())
            {
                if (binding.GetProperty("type").GetString() == "httpTrigger")
                {
                    triggers.Add(function.GetProperty("name").GetString()!, new HttpTrigger(
                        binding.GetProperty("route").GetString(),
                        binding.TryGetProperty("methods", out var methods) && methods.ValueKind == JsonValueKind.Array ? methods.EnumerateArray().Select(m => m.GetString()!).ToArray() : [],
                        binding.GetProperty("authLevel").GetString()));
                }
            }
        }

        return triggers;
    }

    private static string FindMetadata()
    {
        // The project reference copies the app's functions.metadata next to the tests; fall back to the app's bin/.
        var local = Path.Combine(AppContext.BaseDirectory, "functions.metadata");
        if (File.Exists(local))
        {
            return local;
        }

        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var bin = Path.Combine(dir.FullName, "functions", "ServerlessRec.Functions", "bin");
            if (Directory.Exists(bin))
            {
                return Directory.EnumerateFiles(bin, "functions.metadata", SearchOption.AllDirectories).OrderByDescending(File.GetLastWriteTimeUtc).First();
            }
        }

        throw new FileNotFoundException("functions.metadata of ServerlessRec.Functions not found; build the Functions project first");
    }

    private sealed record HttpTrigger(string? Route, string[] Methods, string? AuthLevel);
}
