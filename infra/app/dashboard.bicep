// The operations workbook ("dashboard") over the ServerlessRec telemetry in Application Insights. Its content is
// workbook.json, edited in the portal's Advanced Editor and checked in; the component id is filled in here.

param applicationInsightsName string
param location string
param tags object

@description('Display name of the workbook in the portal.')
param displayName string

// The placeholder workbook.json uses wherever a query names its Application Insights resource.
var applicationInsightsPlaceholder = '__APPLICATION_INSIGHTS_ID__'
var workbookTemplate = loadTextContent('workbook.json')

resource applicationInsights 'Microsoft.Insights/components@2020-02-02' existing = {
  name: applicationInsightsName
}

resource workbook 'Microsoft.Insights/workbooks@2023-06-01' = {
  // Workbook names are GUIDs; this one is stable per component so a re-deployment updates it.
  name: guid(applicationInsights.id, 'serverlessrec-operations-workbook')
  location: location
  tags: tags
  kind: 'shared'
  properties: {
    displayName: displayName
    category: 'workbook'
    sourceId: applicationInsights.id
    serializedData: replace(workbookTemplate, applicationInsightsPlaceholder, applicationInsights.id)
  }
}

output workbookId string = workbook.id
