using Microsoft.Extensions.Options;

namespace ServerlessRec.Client;

/// <summary>Refuses options the client cannot work with, saying which setting is wrong.</summary>
internal sealed class ServerlessRecClientOptionsValidator : IValidateOptions<ServerlessRecClientOptions>
{
    public ValidateOptionsResult Validate(string? name, ServerlessRecClientOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = new List<string>();
        if (options.BaseAddress is not { IsAbsoluteUri: true } address || (address.Scheme != Uri.UriSchemeHttps && address.Scheme != Uri.UriSchemeHttp))
        {
            failures.Add("ServerlessRec: BaseAddress must be an absolute http(s) URI, the API's host root (e.g. https://<app>.azurewebsites.net/)");
        }
        else if (address.AbsolutePath.TrimEnd('/').EndsWith("/api", StringComparison.OrdinalIgnoreCase))
        {
            failures.Add("ServerlessRec: BaseAddress is the host root without /api (the client adds it)");
        }

        if (options.Credential is not null && string.IsNullOrWhiteSpace(options.Scope))
        {
            failures.Add("ServerlessRec: Scope is required with Credential (api://<API client id>/.default)");
        }

        if (options.Credential is null && !string.IsNullOrWhiteSpace(options.Scope))
        {
            failures.Add("ServerlessRec: Scope is set but Credential is not; set both for Entra ID tokens");
        }

        if (options.MaxRetryAttempts is < 0 or > 10)
        {
            failures.Add("ServerlessRec: MaxRetryAttempts must be between 0 and 10");
        }

        if (options.RetryDelay < TimeSpan.Zero || options.RetryDelay > TimeSpan.FromMinutes(1))
        {
            failures.Add("ServerlessRec: RetryDelay must be between 0 and 1 minute");
        }

        if (options.AttemptTimeout < TimeSpan.FromMilliseconds(10) || options.AttemptTimeout > TimeSpan.FromHours(1))
        {
            failures.Add("ServerlessRec: AttemptTimeout must be between 10 ms and 1 hour");
        }

        if (options.TotalTimeout < options.AttemptTimeout || options.TotalTimeout > TimeSpan.FromHours(1))
        {
            failures.Add("ServerlessRec: TotalTimeout must be at least AttemptTimeout and at most 1 hour");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
