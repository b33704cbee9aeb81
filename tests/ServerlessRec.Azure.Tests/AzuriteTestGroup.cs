namespace ServerlessRec.Azure.Tests;

/// <summary>The xunit collection of tests that share one Azurite process (<see cref="AzuriteFixture"/>).</summary>
[CollectionDefinition(Name)]
public sealed class AzuriteTestGroup : ICollectionFixture<AzuriteFixture>
{
    public const string Name = "Azurite";
}
