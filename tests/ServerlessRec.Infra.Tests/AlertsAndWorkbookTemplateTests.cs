using System.Text.Json;
using ServerlessRec.Http;
using ServerlessRec.Infra.Tests.Arm;

namespace ServerlessRec.Infra.Tests;

/// <summary>
/// The operations resources (infra/app/alerts.bicep, infra/app/dashboard.bicep): each alert rule watches the right
/// telemetry with its threshold and window from parameters, notifies the action group, and the workbook charts every
/// instrument of the <c>ServerlessRec</c> meter.
/// </summary>
[Collection(CompiledInfrastructureDefinition.Name)]
public sealed class AlertsAndWorkbookTemplateTests(CompiledInfrastructure infrastructure)
{
    private const string ApplicationInsightsId = "[resourceId('Microsoft.Insights/components', parameters('applicationInsightsName'))]";
    private const string ActionGroupId = "[resourceId('Microsoft.Insights/actionGroups', format('{0}-operators', parameters('namePrefix')))]";
    private const string WorkbookPlaceholder = "__APPLICATION_INSIGHTS_ID__";

    private JsonElement MainParameters => infrastructure.Template.Root.GetProperty("parameters");

    [Fact]
    public void ActionGroup_EmailReceiver_ExistsOnlyWhenAlertEmailIsSet()
    {
        var group = infrastructure.Template.SingleOfType("Microsoft.Insights/actionGroups");

        Assert.Equal("global", group.Find("location")?.GetString());
        Assert.Equal(JsonValueKind.True, group.Find("properties.enabled")?.ValueKind);
        Assert.StartsWith(
            "[if(empty(parameters('alertEmail')), createArray(), createArray(createObject('name', 'operators-email', 'emailAddress', parameters('alertEmail'),",
            group.Find("properties.emailReceivers")?.GetString(),
            StringComparison.Ordinal);
        Assert.Equal(string.Empty, MainParameters.FindPath("alertEmail.defaultValue")?.GetString());
        Assert.Equal("[parameters('alertEmail')]", infrastructure.Template.Module("alerts").Find("properties.parameters.alertEmail.value")?.GetString());
    }

    [Fact]
    public void RetrainFailedAlert_Query_CountsFailedOutcomesOfRetrainRunsCounter()
    {
        var rule = LogAlert("-retrain-failed");
        var criterion = Criterion(rule);

        Assert.Equal(
            "customMetrics\n| where name == \"serverlessrec.retrain.runs\"\n| where tostring(customDimensions[\"outcome\"]) == \"failed\"\n| where value > 0",
            criterion.GetProperty("query").GetString());
        Assert.Equal("Count", criterion.GetProperty("timeAggregation").GetString());
        Assert.Equal("GreaterThan", criterion.GetProperty("operator").GetString());
        Assert.Equal(0, criterion.GetProperty("threshold").GetInt32());
        Assert.Equal("PT1H", rule.Find("properties.windowSize")?.GetString());
        Assert.Equal(1, rule.Find("properties.severity")?.GetInt32());
    }

    [Fact]
    public void NoModelActivatedAlert_Window_IsMaxAgeParameterOverActivationsCounter()
    {
        var rule = LogAlert("-no-model-activated");
        var criterion = Criterion(rule);

        Assert.Equal("customMetrics\n| where name == \"serverlessrec.model.activations\"\n| where value > 0", criterion.GetProperty("query").GetString());
        // Fewer than one row: a window with no activation at all (no rows) fires too.
        Assert.Equal("Count", criterion.GetProperty("timeAggregation").GetString());
        Assert.Equal("LessThan", criterion.GetProperty("operator").GetString());
        Assert.Equal(1, criterion.GetProperty("threshold").GetInt32());
        Assert.False(criterion.TryGetProperty("metricMeasureColumn", out _));
        Assert.Equal("[format('PT{0}H', parameters('modelActivationMaxAgeHours'))]", rule.Find("properties.windowSize")?.GetString());
        Assert.Equal(48, MainParameters.FindPath("modelActivationMaxAgeHours.defaultValue")?.GetInt32());
        // 48 h is the longest window a log alert accepts.
        Assert.Equal(48, MainParameters.FindPath("modelActivationMaxAgeHours.maxValue")?.GetInt32());
    }

    [Fact]
    public void ServerErrorAlert_Query_IsShareOf5xxRequestsAboveThresholdParameter()
    {
        var rule = LogAlert("-http-5xx-rate");
        var criterion = Criterion(rule);

        Assert.Equal(
            "[format('requests\n| summarize Requests = count(), ServerErrors = countif(toint(resultCode) >= 500), timestamp = max(timestamp)\n| where Requests >= {0}\n| extend ServerErrorPercent = 100.0 * ServerErrors / Requests', parameters('serverErrorMinimumRequests'))]",
            criterion.GetProperty("query").GetString());
        Assert.Equal("ServerErrorPercent", criterion.GetProperty("metricMeasureColumn").GetString());
        Assert.Equal("GreaterThan", criterion.GetProperty("operator").GetString());
        Assert.Equal("[parameters('serverErrorPercentThreshold')]", criterion.GetProperty("threshold").GetString());
        Assert.Equal("PT15M", rule.Find("properties.windowSize")?.GetString());
        Assert.Equal(5, MainParameters.FindPath("serverErrorPercentThreshold.defaultValue")?.GetInt32());
        Assert.Equal(20, MainParameters.FindPath("serverErrorMinimumRequests.defaultValue")?.GetInt32());
    }

    [Fact]
    public void RecommendationLatencyAlert_Query_IsP99OfRecommendationsFunctionOverThresholdAndWindowParameters()
    {
        var rule = LogAlert("-recommendation-p99");
        var criterion = Criterion(rule);
        // The host names request telemetry after the function: the route table's name of POST /api/recommendations.
        var route = Assert.Single(RouteTable.Routes, r => r.Template == "recommendations" && r.Method == "POST");

        Assert.Equal(
            $"requests\n| where name == \"{route.Name}\"\n| summarize P99DurationMs = percentile(duration, 99), timestamp = max(timestamp)",
            criterion.GetProperty("query").GetString());
        Assert.Equal("P99DurationMs", criterion.GetProperty("metricMeasureColumn").GetString());
        Assert.Equal("GreaterThan", criterion.GetProperty("operator").GetString());
        Assert.Equal("[parameters('recommendationP99ThresholdMs')]", criterion.GetProperty("threshold").GetString());
        Assert.Equal("[format('PT{0}M', parameters('recommendationLatencyWindowMinutes'))]", rule.Find("properties.windowSize")?.GetString());
        Assert.Equal(500, MainParameters.FindPath("recommendationP99ThresholdMs.defaultValue")?.GetInt32());
        Assert.Equal(15, MainParameters.FindPath("recommendationLatencyWindowMinutes.defaultValue")?.GetInt32());
    }

    [Fact]
    public void SearchThrottlingAlert_Metric_IsThrottledSearchQueriesPercentageOfSearchService()
    {
        var rule = Assert.Single(infrastructure.Template.OfType("Microsoft.Insights/metricAlerts"), r => r.Name.Contains("-search-throttling", StringComparison.Ordinal));
        var criterion = rule.Element.GetProperty("properties").GetProperty("criteria").GetProperty("allOf").EnumerateArray().Single();

        Assert.Equal("[resourceId('Microsoft.Search/searchServices', parameters('searchServiceName'))]", rule.Element.GetProperty("properties").GetProperty("scopes").EnumerateArray().Single().GetString());
        Assert.Equal("Microsoft.Search/searchServices", criterion.GetProperty("metricNamespace").GetString());
        Assert.Equal("ThrottledSearchQueriesPercentage", criterion.GetProperty("metricName").GetString());
        Assert.Equal("Average", criterion.GetProperty("timeAggregation").GetString());
        Assert.Equal("GreaterThan", criterion.GetProperty("operator").GetString());
        Assert.Equal("[parameters('searchThrottledPercentThreshold')]", criterion.GetProperty("threshold").GetString());
        Assert.Equal("PT15M", rule.Find("properties.windowSize")?.GetString());
        Assert.Equal(10, MainParameters.FindPath("searchThrottledPercentThreshold.defaultValue")?.GetInt32());
        Assert.Equal(ActionGroupId, rule.Element.GetProperty("properties").GetProperty("actions").EnumerateArray().Single().GetProperty("actionGroupId").GetString());
    }

    [Fact]
    public void LogAlerts_ScopeAndActions_QueryApplicationInsightsAndNotifyActionGroup()
    {
        var rules = infrastructure.Template.OfType("Microsoft.Insights/scheduledQueryRules").ToList();

        Assert.Equal(4, rules.Count);
        Assert.All(rules, rule =>
        {
            var properties = rule.Element.GetProperty("properties");
            Assert.Equal("LogAlert", rule.Find("kind")?.GetString());
            Assert.Equal(ApplicationInsightsId, properties.GetProperty("scopes").EnumerateArray().Single().GetString());
            Assert.Equal(ActionGroupId, properties.GetProperty("actions").GetProperty("actionGroups").EnumerateArray().Single().GetString());
            Assert.Equal(JsonValueKind.True, properties.GetProperty("enabled").ValueKind);
        });
    }

    [Fact]
    public void Workbook_SerializedData_IsWorkbookJsonWithComponentIdFilledIn()
    {
        var workbook = infrastructure.Template.SingleOfType("Microsoft.Insights/workbooks");

        Assert.Equal("shared", workbook.Find("kind")?.GetString());
        Assert.Equal(ApplicationInsightsId, workbook.Find("properties.sourceId")?.GetString());
        Assert.Equal(
            $"[replace(variables('workbookTemplate'), variables('applicationInsightsPlaceholder'), {ApplicationInsightsId[1..^1]})]",
            workbook.Find("properties.serializedData")?.GetString());
        Assert.Equal(WorkbookPlaceholder, workbook.Template.FindPath("variables.applicationInsightsPlaceholder")?.GetString());
        Assert.Equal("Notebook/1.0", WorkbookContent().GetProperty("version").GetString());
    }

    [Fact]
    public void Workbook_QueryItems_ReadTheApplicationInsightsComponentOverTheTimeRange()
    {
        var queries = QueryItems().ToList();

        Assert.NotEmpty(queries);
        Assert.All(queries, content =>
        {
            Assert.Equal(WorkbookPlaceholder, content.GetProperty("crossComponentResources").EnumerateArray().Single().GetString());
            Assert.Equal("microsoft.insights/components", content.GetProperty("resourceType").GetString());
            Assert.Equal("TimeRange", content.GetProperty("timeContextFromParameter").GetString());
        });
    }

    [Theory]
    [InlineData("serverlessrec.recommendation.duration", "source")]
    [InlineData("serverlessrec.recommendation.duration", "model.version")]
    [InlineData("serverlessrec.recommendation.fallbacks", "reason")]
    [InlineData("serverlessrec.history.read.duration", null)]
    [InlineData("serverlessrec.events.accepted", "type")]
    [InlineData("serverlessrec.events.rejected", "reason")]
    [InlineData("serverlessrec.retrain.step.duration", "step")]
    [InlineData("serverlessrec.retrain.step.duration", "outcome")]
    [InlineData("serverlessrec.retrain.runs", "outcome")]
    [InlineData("serverlessrec.retrain.quarantined", "reason")]
    [InlineData("serverlessrec.model.activations", "model.version")]
    [InlineData("serverlessrec.model.activations", "trigger")]
    [InlineData("serverlessrec.model.load.failures", "model.version")]
    public void Workbook_Queries_ChartInstrumentByItsTag(string instrument, string? tag)
    {
        var queries = QueryItems().Select(content => content.GetProperty("query").GetString()!).ToList();

        Assert.Contains(queries, query =>
            query.Contains($"\"{instrument}\"", StringComparison.Ordinal)
            && (tag is null || query.Contains($"customDimensions[\"{tag}\"]", StringComparison.Ordinal)));
    }

    private ArmResource LogAlert(string nameSuffix) =>
        Assert.Single(infrastructure.Template.OfType("Microsoft.Insights/scheduledQueryRules"), r => r.Name.Contains(nameSuffix, StringComparison.Ordinal));

    private static JsonElement Criterion(ArmResource rule) =>
        rule.Element.GetProperty("properties").GetProperty("criteria").GetProperty("allOf").EnumerateArray().Single();

    private JsonElement WorkbookContent()
    {
        var workbook = infrastructure.Template.SingleOfType("Microsoft.Insights/workbooks");
        var text = workbook.Template.FindPath("variables.workbookTemplate")?.GetString();
        Assert.NotNull(text);
        return JsonDocument.Parse(text).RootElement;
    }

    // Query items (type 3) at any depth: groups (type 12) nest items.
    private IEnumerable<JsonElement> QueryItems()
    {
        var pending = new Stack<JsonElement>([WorkbookContent()]);
        while (pending.Count > 0)
        {
            var container = pending.Pop();
            var items = container.TryGetProperty("items", out var direct) ? direct
                : container.TryGetProperty("content", out var content) && content.TryGetProperty("items", out var nested) ? nested
                : default;
            if (items.ValueKind != JsonValueKind.Array)
            {
                continue;
            }

            foreach (var item in items.EnumerateArray())
            {
                if (item.GetProperty("type").GetInt32() == 3)
                {
                    yield return item.GetProperty("content");
                }

                pending.Push(item);
            }
        }
    }
}
