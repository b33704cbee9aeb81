// The Functions app on a Flex Consumption plan: Linux, .NET 10 isolated worker, system-assigned
// identity, every connection identity-based (no keys or connection strings with secrets).

param name string
param planName string
param location string
param tags object

@description('The azd service this app hosts (azure.yaml).')
param serviceName string

param storageAccountName string
param storageBlobEndpoint string
param deploymentContainerName string
param searchEndpoint string
param applicationInsightsName string

@description('NCRONTAB schedule of the retraining timer.')
param retrainSchedule string

@description('Memory of each instance in MB.')
@allowed([
  512
  2048
  4096
])
param instanceMemoryMB int

@description('Upper bound of scale-out.')
@minValue(1)
@maxValue(1000)
param maximumInstanceCount int

@description('Spread instances across availability zones (the region must support it for Flex Consumption).')
param zoneRedundant bool

@description('Client id of the API\'s Entra app registration; empty leaves App Service authentication off (function keys only).')
param authClientId string

@description('Tenant that issues the API\'s tokens.')
param authTenantId string

@description('Entra object or client ids admitted to the serving routes (comma-separated; ids, not secrets).')
param servingCallers string

@description('Entra object or client ids admitted to the privacy routes: user vector, export, forget.')
param privacyCallers string

@description('Entra object or client ids admitted to the operations routes: retraining.')
param operationsCallers string

var entraEnabled = !empty(authClientId)

resource applicationInsights 'Microsoft.Insights/components@2020-02-02' existing = {
  name: applicationInsightsName
}

resource plan 'Microsoft.Web/serverfarms@2024-04-01' = {
  name: planName
  location: location
  tags: tags
  kind: 'functionapp'
  sku: {
    name: 'FC1'
    tier: 'FlexConsumption'
  }
  properties: {
    reserved: true
    zoneRedundant: zoneRedundant
  }
}

resource functionApp 'Microsoft.Web/sites@2024-04-01' = {
  name: name
  location: location
  tags: union(tags, { 'azd-service-name': serviceName })
  kind: 'functionapp,linux'
  identity: {
    type: 'SystemAssigned'
  }
  properties: {
    serverFarmId: plan.id
    httpsOnly: true
    // On Flex Consumption the runtime lives here, not in FUNCTIONS_WORKER_RUNTIME /
    // FUNCTIONS_EXTENSION_VERSION app settings, which must not be set on this plan.
    functionAppConfig: {
      deployment: {
        storage: {
          type: 'blobContainer'
          value: '${storageBlobEndpoint}${deploymentContainerName}'
          authentication: {
            type: 'SystemAssignedIdentity'
          }
        }
      }
      scaleAndConcurrency: {
        instanceMemoryMB: instanceMemoryMB
        maximumInstanceCount: maximumInstanceCount
      }
      runtime: {
        name: 'dotnet-isolated'
        version: '10.0'
      }
    }
    siteConfig: {
      minTlsVersion: '1.2'
      ftpsState: 'Disabled'
      // Names are exactly ServerlessRec.Configuration.AppSettingNames.All (a test keeps them equal).
      appSettings: [
        {
          // Host storage for blobs, queues and tables (Durable Functions' default backend) by identity.
          name: 'AzureWebJobsStorage__accountName'
          value: storageAccountName
        }
        {
          name: 'AzureWebJobsStorage__credential'
          value: 'managedidentity'
        }
        {
          name: 'RetrainSchedule'
          value: retrainSchedule
        }
        {
          name: 'Storage__Provider'
          value: 'AzureBlob'
        }
        {
          name: 'Storage__BlobServiceUri'
          value: storageBlobEndpoint
        }
        {
          name: 'Search__Provider'
          value: 'AzureAISearch'
        }
        {
          name: 'Search__Endpoint'
          value: searchEndpoint
        }
        {
          name: 'APPLICATIONINSIGHTS_CONNECTION_STRING'
          value: applicationInsights.properties.ConnectionString
        }
        {
          // Telemetry is sent with the app's identity; the component refuses key-only ingestion.
          name: 'APPLICATIONINSIGHTS_AUTHENTICATION_STRING'
          value: 'Authorization=AAD'
        }
        {
          // Who may call which route group (ServerlessRec.Http.RouteAccess): Entra callers when the API has an
          // app registration, otherwise the function key of each route, checked by the host.
          name: 'Access__Mode'
          value: entraEnabled ? 'Entra' : 'FunctionKeys'
        }
        {
          name: 'Access__ServingCallers'
          value: servingCallers
        }
        {
          name: 'Access__PrivacyCallers'
          value: privacyCallers
        }
        {
          name: 'Access__OperationsCallers'
          value: operationsCallers
        }
      ]
    }
  }
}

// Deployments go through Entra ID (azd, az functionapp deploy); publishing passwords are off.
resource ftpPublishing 'Microsoft.Web/sites/basicPublishingCredentialsPolicies@2024-04-01' = {
  parent: functionApp
  name: 'ftp'
  properties: {
    allow: false
  }
}

resource scmPublishing 'Microsoft.Web/sites/basicPublishingCredentialsPolicies@2024-04-01' = {
  parent: functionApp
  name: 'scm'
  properties: {
    allow: false
  }
}

// App Service authentication ("Easy Auth") validates the caller's Entra ID token before the app runs, answers 401
// without one, and passes the validated principal in X-MS-CLIENT-PRINCIPAL (stripping any the caller sent).
// Which caller may call which route group is decided by the app (Access__* settings, app roles).
resource authSettings 'Microsoft.Web/sites/config@2024-04-01' = if (entraEnabled) {
  parent: functionApp
  name: 'authsettingsV2'
  properties: {
    platform: {
      enabled: true
    }
    globalValidation: {
      requireAuthentication: true
      unauthenticatedClientAction: 'Return401'
    }
    httpSettings: {
      requireHttps: true
    }
    identityProviders: {
      azureActiveDirectory: {
        enabled: true
        registration: {
          clientId: authClientId
          openIdIssuer: '${environment().authentication.loginEndpoint}${authTenantId}/v2.0'
        }
        validation: {
          // v2 tokens carry the client id as audience, v1 tokens the application id URI.
          allowedAudiences: [
            authClientId
            'api://${authClientId}'
          ]
        }
      }
    }
    login: {
      // An API for back ends: no browser sign-in, no stored tokens.
      tokenStore: {
        enabled: false
      }
    }
  }
}

output name string = functionApp.name
output principalId string = functionApp.identity.principalId
output defaultHostName string = functionApp.properties.defaultHostName
