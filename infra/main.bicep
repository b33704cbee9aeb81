// ServerlessRec: the Functions app (Flex Consumption), its storage, Azure AI Search and monitoring.
// azd layout: `azd up` deploys this at subscription scope, creating the resource group.
targetScope = 'subscription'

@minLength(1)
@maxLength(64)
@description('Name of the environment; with the subscription and location it seeds a unique token for resource names.')
param environmentName string

@minLength(1)
@description('Region of every resource. It must offer Flex Consumption (az functionapp list-flexconsumption-locations).')
@metadata({
  azd: {
    type: 'location'
  }
})
param location string

@description('Resource group name; empty uses rg-<environmentName>.')
param resourceGroupName string = ''

@description('Object id of a user or service principal that gets data roles for local runs; empty skips them.')
param principalId string = ''

@allowed([
  'User'
  'ServicePrincipal'
  'Group'
])
param principalType string = 'User'

@description('Storage replication. Standard_ZRS for zone redundancy (the prod parameter set).')
@allowed([
  'Standard_LRS'
  'Standard_ZRS'
  'Standard_GRS'
  'Standard_GZRS'
])
param storageSkuName string = 'Standard_LRS'

@description('Days deleted blobs and containers stay restorable.')
@minValue(1)
@maxValue(365)
param blobSoftDeleteRetentionDays int = 7

@description('Memory of each Functions instance in MB.')
@allowed([
  512
  2048
  4096
])
param functionInstanceMemoryMB int = 2048

@description('Upper bound of Functions scale-out.')
@minValue(1)
@maxValue(1000)
param functionMaximumInstanceCount int = 100

@description('Zone-redundant Flex Consumption plan. The platform then keeps at least two always-ready instances (billed).')
param functionZoneRedundant bool = false

@description('NCRONTAB schedule of the retraining timer (app setting RetrainSchedule).')
param retrainSchedule string = '0 0 3 * * *'

@description('Client id of the API\'s Entra app registration (infra/scripts/create-api-app-registration.sh). Empty: no App Service authentication; every route needs its function key.')
param apiAuthClientId string = ''

@description('Tenant of the API\'s app registration; empty uses the deployment\'s tenant.')
param apiAuthTenantId string = ''

@description('Entra object ids (oid) or client ids (appid) allowed to call the serving routes, comma-separated: the web app\'s back end.')
param servingCallers string = ''

@description('Entra object or client ids allowed to call the privacy routes (user vector, export, forget): support and privacy tooling.')
param privacyCallers string = ''

@description('Entra object or client ids allowed to call the operations routes (retraining): operators and their automation.')
param operationsCallers string = ''

@allowed([
  'basic'
  'standard'
  'standard2'
  'standard3'
  'storage_optimized_l1'
  'storage_optimized_l2'
])
param searchSkuName string = 'basic'

@description('Search replicas; 2 or more give the query SLA (3 for queries and indexing).')
@minValue(1)
@maxValue(12)
param searchReplicaCount int = 1

@allowed([
  1
  2
  3
  4
  6
  12
])
param searchPartitionCount int = 1

@description('Days Log Analytics keeps logs.')
@minValue(30)
@maxValue(730)
param logRetentionInDays int = 30

@description('E-mail address that receives the alerts; empty creates the action group without a receiver.')
param alertEmail string = ''

@description('Recommendation latency alert: p99 of POST /api/recommendations above this many milliseconds.')
@minValue(1)
param recommendationP99ThresholdMs int = 500

@description('Window of the recommendation latency alert in minutes.')
@minValue(5)
@maxValue(1440)
param recommendationLatencyWindowMinutes int = 15

@description('HTTP 5xx alert: more than this percentage of the requests in 15 minutes answered 5xx.')
@minValue(1)
@maxValue(100)
param serverErrorPercentThreshold int = 5

@description('HTTP 5xx alert: windows with fewer requests are ignored.')
@minValue(1)
param serverErrorMinimumRequests int = 20

@description('Alert when no model version was activated for this many hours (the nightly retraining keeps failing or rejecting).')
@minValue(1)
@maxValue(48)
param modelActivationMaxAgeHours int = 48

@description('Search throttling alert: average percentage of throttled search queries over 15 minutes.')
@minValue(1)
@maxValue(100)
param searchThrottledPercentThreshold int = 10

var abbrs = loadJsonContent('abbreviations.json')
var resourceToken = toLower(uniqueString(subscription().id, environmentName, location))
var tags = { 'azd-env-name': environmentName }
var apiServiceName = 'api'
var functionAppName = '${abbrs.webSitesFunctions}${apiServiceName}-${resourceToken}'
var deploymentContainerName = 'app-package'
// The data containers of design.md ("Storage"); names match ServerlessRec.Storage.ContainerNames.
var dataContainerNames = [
  'events'
  'catalog'
  'users'
  'models'
  'quarantine'
  'runs'
  'requests'
  'keys'
  'impressions'
]

resource rg 'Microsoft.Resources/resourceGroups@2024-03-01' = {
  name: !empty(resourceGroupName) ? resourceGroupName : '${abbrs.resourcesResourceGroups}${environmentName}'
  location: location
  tags: tags
}

module monitoring 'app/monitoring.bicep' = {
  name: 'monitoring'
  scope: rg
  params: {
    logAnalyticsName: '${abbrs.operationalInsightsWorkspaces}${resourceToken}'
    applicationInsightsName: '${abbrs.insightsComponents}${resourceToken}'
    location: location
    tags: tags
    retentionInDays: logRetentionInDays
  }
}

module storage 'app/storage.bicep' = {
  name: 'storage'
  scope: rg
  params: {
    name: '${abbrs.storageStorageAccounts}${resourceToken}'
    location: location
    tags: tags
    skuName: storageSkuName
    containerNames: dataContainerNames
    deploymentContainerName: deploymentContainerName
    softDeleteRetentionDays: blobSoftDeleteRetentionDays
  }
}

module search 'app/search.bicep' = {
  name: 'search'
  scope: rg
  params: {
    name: '${abbrs.searchSearchServices}${resourceToken}'
    location: location
    tags: tags
    skuName: searchSkuName
    replicaCount: searchReplicaCount
    partitionCount: searchPartitionCount
  }
}

module api 'app/api.bicep' = {
  name: 'api'
  scope: rg
  params: {
    name: functionAppName
    planName: '${abbrs.webServerFarms}${resourceToken}'
    location: location
    tags: tags
    serviceName: apiServiceName
    storageAccountName: storage.outputs.name
    storageBlobEndpoint: storage.outputs.primaryBlobEndpoint
    deploymentContainerName: deploymentContainerName
    searchEndpoint: search.outputs.endpoint
    applicationInsightsName: monitoring.outputs.applicationInsightsName
    retrainSchedule: retrainSchedule
    instanceMemoryMB: functionInstanceMemoryMB
    maximumInstanceCount: functionMaximumInstanceCount
    zoneRedundant: functionZoneRedundant
    authClientId: apiAuthClientId
    authTenantId: !empty(apiAuthTenantId) ? apiAuthTenantId : tenant().tenantId
    servingCallers: servingCallers
    privacyCallers: privacyCallers
    operationsCallers: operationsCallers
  }
}

module alerts 'app/alerts.bicep' = {
  name: 'alerts'
  scope: rg
  params: {
    applicationInsightsName: monitoring.outputs.applicationInsightsName
    searchServiceName: search.outputs.name
    location: location
    tags: tags
    namePrefix: 'alert-${resourceToken}'
    alertEmail: alertEmail
    recommendationP99ThresholdMs: recommendationP99ThresholdMs
    recommendationLatencyWindowMinutes: recommendationLatencyWindowMinutes
    serverErrorPercentThreshold: serverErrorPercentThreshold
    serverErrorMinimumRequests: serverErrorMinimumRequests
    modelActivationMaxAgeHours: modelActivationMaxAgeHours
    searchThrottledPercentThreshold: searchThrottledPercentThreshold
  }
}

module dashboard 'app/dashboard.bicep' = {
  name: 'dashboard'
  scope: rg
  params: {
    applicationInsightsName: monitoring.outputs.applicationInsightsName
    location: location
    tags: tags
    displayName: 'ServerlessRec operations (${environmentName})'
  }
}

module rbac 'app/rbac.bicep' = {
  name: 'rbac'
  scope: rg
  params: {
    storageAccountName: storage.outputs.name
    searchServiceName: search.outputs.name
    applicationInsightsName: monitoring.outputs.applicationInsightsName
    appPrincipalId: api.outputs.principalId
    userPrincipalId: principalId
    userPrincipalType: principalType
  }
}

output AZURE_LOCATION string = location
output AZURE_TENANT_ID string = tenant().tenantId
output AZURE_RESOURCE_GROUP string = rg.name
output SERVICE_API_NAME string = api.outputs.name
output SERVICE_API_URI string = 'https://${api.outputs.defaultHostName}'
output AZURE_FUNCTION_APP_NAME string = api.outputs.name
output AZURE_STORAGE_ACCOUNT_NAME string = storage.outputs.name
output AZURE_STORAGE_BLOB_ENDPOINT string = storage.outputs.primaryBlobEndpoint
output AZURE_SEARCH_SERVICE_NAME string = search.outputs.name
output AZURE_SEARCH_ENDPOINT string = search.outputs.endpoint
// Not a secret: an ingestion address plus key that cannot ingest on its own (DisableLocalAuth).
output APPLICATIONINSIGHTS_CONNECTION_STRING string = monitoring.outputs.applicationInsightsConnectionString
