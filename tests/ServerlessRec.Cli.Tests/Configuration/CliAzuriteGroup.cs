using ServerlessRec.Azure.Tests;

namespace ServerlessRec.Cli.Tests.Configuration;

/// <summary>The CLI tests that run commands against one real Azurite.</summary>
[CollectionDefinition(Name)]
public sealed class CliAzuriteGroup : ICollectionFixture<AzuriteFixture>
{
    public const string Name = "CLI on Azurite";
}
