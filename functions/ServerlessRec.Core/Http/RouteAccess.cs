using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace ServerlessRec.Http;

/// <summary>
/// The one authorisation check of the API: admits a request to a route only if its caller is configured for the route's
/// <see cref="RouteGroup"/>. With <see cref="AccessMode.Entra"/> the caller is the principal App Service authentication
/// validated and passed in the <c>X-MS-CLIENT-PRINCIPAL</c> header; with <see cref="AccessMode.FunctionKeys"/> the
/// Functions host has already checked the function's key and this check admits everyone.
/// </summary>
public sealed partial class RouteAccess
{
    /// <summary>The header App Service authentication sets to the validated caller (base64 JSON) and strips from client requests.</summary>
    public const string PrincipalHeader = "X-MS-CLIENT-PRINCIPAL";

    // An Entra principal with many claims is a few kilobytes; anything far larger is not one.
    private const int MaxPrincipalHeaderChars = 64 * 1024;

    private static readonly char[] s_separators = [',', ';', ' ', '\t', '\r', '\n'];

    private readonly AccessOptions _options;
    private readonly bool _principalHeaderTrusted;
    private readonly ILogger _logger;
    private readonly Dictionary<RouteGroup, HashSet<string>> _callers;

    /// <summary>Creates the check.</summary>
    /// <param name="options">Who may call which group.</param>
    /// <param name="principalHeaderTrusted">
    /// Whether App Service authentication runs in front of the app (<c>WEBSITE_AUTH_ENABLED</c>): only then does
    /// <see cref="PrincipalHeader"/> come from the platform rather than from the caller. <see cref="AccessMode.Entra"/>
    /// without it refuses every request.
    /// </param>
    /// <param name="logger">Where refusals are logged (route and group, never the caller's claims).</param>
    public RouteAccess(AccessOptions options, bool principalHeaderTrusted, ILogger<RouteAccess>? logger = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        _options = options;
        _principalHeaderTrusted = principalHeaderTrusted;
        _logger = logger ?? (ILogger)NullLogger.Instance;
        _callers = new()
        {
            [RouteGroup.Serving] = ParseIds(options.ServingCallers),
            [RouteGroup.Privacy] = ParseIds(options.PrivacyCallers),
            [RouteGroup.Operations] = ParseIds(options.OperationsCallers),
        };
    }

    /// <summary>The app role that admits a caller to a group.</summary>
    public static string RoleOf(RouteGroup group) => group switch
    {
        RouteGroup.Serving => AccessOptions.ServingRole,
        RouteGroup.Privacy => AccessOptions.PrivacyRole,
        RouteGroup.Operations => AccessOptions.OperationsRole,
        _ => throw new ArgumentOutOfRangeException(nameof(group), group, "unknown route group"),
    };

    /// <summary>
    /// The Functions authorization level of a group's triggers: <c>Function</c> for every group, so each route has its own
    /// function keys and none needs the host's master key. Never <c>Anonymous</c>, even with Entra: the level is compiled
    /// into the package while App Service authentication is deployment configuration, and a package deployed without it
    /// must not be open. A test holds the triggers to it.
    /// </summary>
    public static string FunctionsAuthorizationLevel(RouteGroup group) => group switch
    {
        RouteGroup.Serving or RouteGroup.Privacy or RouteGroup.Operations => "Function",
        _ => throw new ArgumentOutOfRangeException(nameof(group), group, "unknown route group"),
    };

    /// <summary>Checks a request to a route.</summary>
    /// <returns>Null when the caller may call the route; otherwise the 401 or 403 problem to answer.</returns>
    public IResult? Authorize(ApiRoute route, HttpRequest request)
    {
        ArgumentNullException.ThrowIfNull(route);
        ArgumentNullException.ThrowIfNull(request);
        if (_options.Mode == AccessMode.FunctionKeys)
        {
            return null;
        }

        if (!_principalHeaderTrusted)
        {
            // Without App Service authentication in front, anyone could send the header: trust nobody.
            LogRefused(_logger, route.Name, route.Group, "App Service authentication is off");
            return ApiProblems.ForStatus(StatusCodes.Status403Forbidden, "Access:Mode is Entra but App Service authentication is not enabled on this app, so no caller identity can be trusted");
        }

        var header = request.Headers[PrincipalHeader].ToString();
        if (header.Length == 0)
        {
            LogRefused(_logger, route.Name, route.Group, "no principal");
            return ApiProblems.ForStatus(StatusCodes.Status401Unauthorized, "no caller identity: send an Entra ID access token for this API in the Authorization header");
        }

        if (!TryReadPrincipal(header, out var ids, out var roles))
        {
            LogRefused(_logger, route.Name, route.Group, "malformed principal");
            return ApiProblems.ForStatus(StatusCodes.Status401Unauthorized, $"the caller identity in {PrincipalHeader} could not be read");
        }

        var role = RoleOf(route.Group);
        if (roles.Contains(role) || ids.Overlaps(_callers[route.Group]))
        {
            return null;
        }

        LogRefused(_logger, route.Name, route.Group, "caller not configured for the group");
        return ApiProblems.ForStatus(
            StatusCodes.Status403Forbidden,
            $"this route is in the {route.Group.ToString().ToLowerInvariant()} group; the caller has neither the app role {role} nor an id listed in Access:{route.Group}Callers");
    }

    private static HashSet<string> ParseIds(string? list) =>
        new((list ?? string.Empty).Split(s_separators, StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries), StringComparer.OrdinalIgnoreCase);

    /// <summary>Reads the caller's ids (object id, client id) and app roles from the platform's principal header.</summary>
    private static bool TryReadPrincipal(string header, out HashSet<string> ids, out HashSet<string> roles)
    {
        ids = new(StringComparer.OrdinalIgnoreCase);
        roles = new(StringComparer.Ordinal);
        if (header.Length > MaxPrincipalHeaderChars)
        {
            return false;
        }

        try
        {
            using var document = JsonDocument.Parse(Convert.FromBase64String(header));
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("claims", out var claims) || claims.ValueKind != JsonValueKind.Array)
            {
                return false;
            }

            var roleType = root.TryGetProperty("role_typ", out var rt) && rt.ValueKind == JsonValueKind.String ? rt.GetString() : null;
            foreach (var claim in claims.EnumerateArray())
            {
                if (claim.ValueKind != JsonValueKind.Object
                    || !claim.TryGetProperty("typ", out var typ) || typ.ValueKind != JsonValueKind.String
                    || !claim.TryGetProperty("val", out var val) || val.ValueKind != JsonValueKind.String)
                {
                    return false;
                }

                var type = typ.GetString()!;
                var value = val.GetString()!;
                if (type is "oid" or "http://schemas.microsoft.com/identity/claims/objectidentifier" or "appid" or "azp")
                {
                    ids.Add(value);
                }
                else if (type is "roles" or "http://schemas.microsoft.com/ws/2008/06/identity/claims/role" || type == roleType)
                {
                    roles.Add(value);
                }
            }

            return true;
        }
        catch (Exception ex) when (ex is FormatException or JsonException or DecoderFallbackException)
        {
            return false;
        }
    }

    [LoggerMessage(EventId = 1201, Level = LogLevel.Warning, Message = "Refused a call to {Route} ({Group} group): {Reason}")]
    private static partial void LogRefused(ILogger logger, string route, RouteGroup group, string reason);
}
