// Azure AI Search: one index per model version, written and queried with Entra ID (RBAC) only.

param name string
param location string
param tags object

@allowed([
  'basic'
  'standard'
  'standard2'
  'standard3'
  'storage_optimized_l1'
  'storage_optimized_l2'
])
param skuName string

@description('Replicas serve queries; 2 or more give the read (query) SLA and spread over zones where the region has them.')
@minValue(1)
@maxValue(12)
param replicaCount int

@description('Partitions hold the index; add them when the vectors outgrow one partition.')
@allowed([
  1
  2
  3
  4
  6
  12
])
param partitionCount int

resource search 'Microsoft.Search/searchServices@2023-11-01' = {
  name: name
  location: location
  tags: tags
  sku: {
    name: skuName
  }
  properties: {
    replicaCount: replicaCount
    partitionCount: partitionCount
    hostingMode: 'default'
    // RBAC only: no admin or query keys. authOptions must stay unset when local auth is disabled.
    disableLocalAuth: true
    semanticSearch: 'disabled'
    // Reachable from the internet with an Entra ID token; no IP rules (see infra/README.md, "Network").
    publicNetworkAccess: 'enabled'
  }
}

output name string = search.name
output id string = search.id
output endpoint string = 'https://${search.name}.search.windows.net'
