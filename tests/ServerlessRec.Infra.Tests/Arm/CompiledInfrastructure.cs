namespace ServerlessRec.Infra.Tests.Arm;

/// <summary>Compiles <c>infra/main.bicep</c> once for every test of the collection.</summary>
public sealed class CompiledInfrastructure : IAsyncLifetime
{
    public BicepCli Bicep { get; } = BicepCli.FromAssemblyMetadata();

    /// <summary>What <c>bicep build</c> printed; the tests assert on it.</summary>
    public BicepResult Build { get; private set; } = new(-1, string.Empty, string.Empty);

    public ArmTemplate Template =>
        Build.ExitCode == 0
            ? _template ??= ArmTemplate.Parse(Build.StandardOutput)
            : throw new InvalidOperationException($"bicep build failed:{Environment.NewLine}{Build.StandardError}");

    private ArmTemplate? _template;

    public async Task InitializeAsync() =>
        Build = await Bicep.RunAsync(InfraPaths.InfraDirectory, "build", "main.bicep", "--stdout");

    public Task DisposeAsync() => Task.CompletedTask;
}

[CollectionDefinition(Name)]
public sealed class CompiledInfrastructureDefinition : ICollectionFixture<CompiledInfrastructure>
{
    public const string Name = "Compiled infrastructure";
}
