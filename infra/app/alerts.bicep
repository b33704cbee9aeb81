// Azure Monitor alerts: an action group and one rule per way ServerlessRec fails its operators. The instrument names
// in the queries are those of the `ServerlessRec` meter (ServerlessRec.Core telemetry).
// The log alerts query Application Insights: OpenTelemetry instruments of the `ServerlessRec` meter land in
// `customMetrics` (name = instrument name, tags in customDimensions; counters as deltas in `value`, histograms as
// sum/count/min/max without buckets), the Functions host's request telemetry lands in `requests` (not sampled:
// host.json excludes Request). Metric alerts read platform metrics.

param applicationInsightsName string
param searchServiceName string
param location string
param tags object

@description('Name prefix of the alert rules and the action group.')
param namePrefix string

@description('E-mail address that receives the alerts; empty creates the action group without a receiver.')
param alertEmail string

@description('Alert when the p99 duration of POST /api/recommendations over the window is above this many milliseconds.')
@minValue(1)
param recommendationP99ThresholdMs int

@description('Window of the recommendation latency alert in minutes.')
@minValue(5)
@maxValue(1440)
param recommendationLatencyWindowMinutes int

@description('Alert when more than this percentage of the requests in 15 minutes answer 5xx.')
@minValue(1)
@maxValue(100)
param serverErrorPercentThreshold int

@description('The 5xx rate alert ignores windows with fewer requests than this (a single failed call of a quiet API is no rate).')
@minValue(1)
param serverErrorMinimumRequests int

@description('Alert when no model version was activated for this many hours (at most 48: the longest log alert window).')
@minValue(1)
@maxValue(48)
param modelActivationMaxAgeHours int

@description('Alert when the average share of throttled search queries over 15 minutes is above this percentage.')
@minValue(1)
@maxValue(100)
param searchThrottledPercentThreshold int

resource applicationInsights 'Microsoft.Insights/components@2020-02-02' existing = {
  name: applicationInsightsName
}

resource search 'Microsoft.Search/searchServices@2023-11-01' existing = {
  name: searchServiceName
}

resource actionGroup 'Microsoft.Insights/actionGroups@2023-01-01' = {
  name: '${namePrefix}-operators'
  location: 'global'
  tags: tags
  properties: {
    groupShortName: 'srec-ops'
    enabled: true
    emailReceivers: empty(alertEmail)
      ? []
      : [
          {
            name: 'operators-email'
            emailAddress: alertEmail
            useCommonAlertSchema: true
          }
        ]
  }
}

// Each run that ends in `failed` adds 1 to serverlessrec.retrain.runs{outcome=failed}; the exporter sends counters as
// deltas and only for intervals with measurements, so a row with a positive value is a failed run in that interval.
resource retrainFailed 'Microsoft.Insights/scheduledQueryRules@2023-12-01' = {
  name: '${namePrefix}-retrain-failed'
  location: location
  tags: tags
  kind: 'LogAlert'
  properties: {
    displayName: 'ServerlessRec: retraining failed'
    description: 'A retraining run ended with outcome "failed" (serverlessrec.retrain.runs). The live model keeps serving; see the run report in the runs container and the orchestration status at GET /api/retrain/{instanceId}.'
    severity: 1
    enabled: true
    scopes: [
      applicationInsights.id
    ]
    evaluationFrequency: 'PT15M'
    windowSize: 'PT1H'
    autoMitigate: true
    criteria: {
      allOf: [
        {
          query: 'customMetrics\n| where name == "serverlessrec.retrain.runs"\n| where tostring(customDimensions["outcome"]) == "failed"\n| where value > 0'
          timeAggregation: 'Count'
          operator: 'GreaterThan'
          threshold: 0
          failingPeriods: {
            numberOfEvaluationPeriods: 1
            minFailingPeriodsToAlert: 1
          }
        }
      ]
    }
    actions: {
      actionGroups: [
        actionGroup.id
      ]
    }
  }
}

// "Fewer than one row": the rule counts the rows itself, so a window without any activation (no rows) fires too.
resource noModelActivated 'Microsoft.Insights/scheduledQueryRules@2023-12-01' = {
  name: '${namePrefix}-no-model-activated'
  location: location
  tags: tags
  kind: 'LogAlert'
  properties: {
    displayName: 'ServerlessRec: no model activated for ${modelActivationMaxAgeHours} h'
    description: 'No model version was activated (serverlessrec.model.activations) for ${modelActivationMaxAgeHours} hours: the nightly retraining is failing, rejecting its candidates or not running. Also fires after a fresh deployment until the first retraining activates a model.'
    severity: 2
    enabled: true
    scopes: [
      applicationInsights.id
    ]
    evaluationFrequency: 'PT1H'
    windowSize: 'PT${modelActivationMaxAgeHours}H'
    autoMitigate: true
    criteria: {
      allOf: [
        {
          query: 'customMetrics\n| where name == "serverlessrec.model.activations"\n| where value > 0'
          timeAggregation: 'Count'
          operator: 'LessThan'
          threshold: 1
          failingPeriods: {
            numberOfEvaluationPeriods: 1
            minFailingPeriodsToAlert: 1
          }
        }
      ]
    }
    actions: {
      actionGroups: [
        actionGroup.id
      ]
    }
  }
}

// A rate, not a count: the share of all requests that answered 5xx. The host records every HTTP invocation.
// The summarized queries keep a `timestamp` column because the rule bins measured values by time.
resource serverErrors 'Microsoft.Insights/scheduledQueryRules@2023-12-01' = {
  name: '${namePrefix}-http-5xx-rate'
  location: location
  tags: tags
  kind: 'LogAlert'
  properties: {
    displayName: 'ServerlessRec: HTTP 5xx rate above ${serverErrorPercentThreshold} %'
    description: 'More than ${serverErrorPercentThreshold} % of the API requests in 15 minutes answered 5xx (windows with fewer than ${serverErrorMinimumRequests} requests are ignored).'
    severity: 1
    enabled: true
    scopes: [
      applicationInsights.id
    ]
    evaluationFrequency: 'PT5M'
    windowSize: 'PT15M'
    autoMitigate: true
    criteria: {
      allOf: [
        {
          query: 'requests\n| summarize Requests = count(), ServerErrors = countif(toint(resultCode) >= 500), timestamp = max(timestamp)\n| where Requests >= ${serverErrorMinimumRequests}\n| extend ServerErrorPercent = 100.0 * ServerErrors / Requests'
          metricMeasureColumn: 'ServerErrorPercent'
          timeAggregation: 'Maximum'
          operator: 'GreaterThan'
          threshold: serverErrorPercentThreshold
          failingPeriods: {
            numberOfEvaluationPeriods: 1
            minFailingPeriodsToAlert: 1
          }
        }
      ]
    }
    actions: {
      actionGroups: [
        actionGroup.id
      ]
    }
  }
}

// The p99 comes from the request telemetry of the Recommendations function (its name in RouteTable; the host names
// its requests after the function): the exporter sends histograms (serverlessrec.recommendation.duration)
// as sum/count/min/max per interval, from which no percentile can be computed.
resource recommendationLatency 'Microsoft.Insights/scheduledQueryRules@2023-12-01' = {
  name: '${namePrefix}-recommendation-p99'
  location: location
  tags: tags
  kind: 'LogAlert'
  properties: {
    displayName: 'ServerlessRec: recommendation p99 above ${recommendationP99ThresholdMs} ms'
    description: 'The 99th percentile duration of POST /api/recommendations over ${recommendationLatencyWindowMinutes} minutes is above ${recommendationP99ThresholdMs} ms.'
    severity: 2
    enabled: true
    scopes: [
      applicationInsights.id
    ]
    evaluationFrequency: 'PT5M'
    windowSize: 'PT${recommendationLatencyWindowMinutes}M'
    autoMitigate: true
    criteria: {
      allOf: [
        {
          query: 'requests\n| where name == "Recommendations"\n| summarize P99DurationMs = percentile(duration, 99), timestamp = max(timestamp)'
          metricMeasureColumn: 'P99DurationMs'
          timeAggregation: 'Maximum'
          operator: 'GreaterThan'
          threshold: recommendationP99ThresholdMs
          failingPeriods: {
            numberOfEvaluationPeriods: 1
            minFailingPeriodsToAlert: 1
          }
        }
      ]
    }
    actions: {
      actionGroups: [
        actionGroup.id
      ]
    }
  }
}

// Throttled queries mean the service needs replicas (or a larger tier); serving falls back meanwhile.
resource searchThrottling 'Microsoft.Insights/metricAlerts@2018-03-01' = {
  name: '${namePrefix}-search-throttling'
  location: 'global'
  tags: tags
  properties: {
    description: 'On average more than ${searchThrottledPercentThreshold} % of the Azure AI Search queries were throttled over 15 minutes: add replicas (searchReplicaCount) or raise the tier.'
    severity: 2
    enabled: true
    scopes: [
      search.id
    ]
    evaluationFrequency: 'PT5M'
    windowSize: 'PT15M'
    autoMitigate: true
    criteria: {
      'odata.type': 'Microsoft.Azure.Monitor.SingleResourceMultipleMetricCriteria'
      allOf: [
        {
          criterionType: 'StaticThresholdCriterion'
          name: 'ThrottledQueries'
          metricNamespace: 'Microsoft.Search/searchServices'
          metricName: 'ThrottledSearchQueriesPercentage'
          timeAggregation: 'Average'
          operator: 'GreaterThan'
          threshold: searchThrottledPercentThreshold
        }
      ]
    }
    actions: [
      {
        actionGroupId: actionGroup.id
      }
    ]
  }
}

output actionGroupName string = actionGroup.name
