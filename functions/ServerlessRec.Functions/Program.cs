using Microsoft.Azure.Functions.Worker.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using ServerlessRec.Azure.Storage;
using ServerlessRec.Http;
using ServerlessRec.Storage;

var builder = FunctionsApplication.CreateBuilder(args);
builder.ConfigureFunctionsWebApplication();

builder.Services.AddOptions<StorageOptions>()
    .BindConfiguration(StorageOptions.SectionName)
    .ValidateDataAnnotations()
    .ValidateOnStart();
builder.Services.AddSingleton(TimeProvider.System);
builder.Services.AddSingleton(sp => BlobStoreFactory.Create(sp.GetRequiredService<IOptions<StorageOptions>>().Value));

// WEBSITE_INSTANCE_ID names the App Service instance; each instance appends to its own events blob.
var instanceId = Environment.GetEnvironmentVariable("WEBSITE_INSTANCE_ID") is { Length: > 0 } id ? id[..Math.Min(id.Length, 16)] : Environment.MachineName;
builder.Services.AddServingEndpoints($"{instanceId}-{Environment.ProcessId}");

await builder.Build().RunAsync().ConfigureAwait(false);
