using System.ComponentModel.DataAnnotations;

namespace ServerlessRec.Http;

/// <summary>How the Functions app authorises a caller, bound from the <c>Access</c> configuration section.</summary>
public sealed class AccessOptions
{
    /// <summary>The configuration section name.</summary>
    public const string SectionName = "Access";

    /// <summary>The app role that admits a caller to <see cref="RouteGroup.Serving"/> routes.</summary>
    public const string ServingRole = "ServerlessRec.Serving";

    /// <summary>The app role that admits a caller to <see cref="RouteGroup.Privacy"/> routes.</summary>
    public const string PrivacyRole = "ServerlessRec.Privacy";

    /// <summary>The app role that admits a caller to <see cref="RouteGroup.Operations"/> routes.</summary>
    public const string OperationsRole = "ServerlessRec.Operations";

    /// <summary>Gets or sets how callers are authorised.</summary>
    /// <value>The default is <see cref="AccessMode.FunctionKeys"/>: the Functions host checks the function key of each route.</value>
    [EnumDataType(typeof(AccessMode))]
    public AccessMode Mode { get; set; } = AccessMode.FunctionKeys;

    /// <summary>
    /// Gets or sets the Entra object ids (<c>oid</c>) or client ids (<c>appid</c>/<c>azp</c>) admitted to
    /// <see cref="RouteGroup.Serving"/> routes, separated by commas, semicolons or spaces. Ids, not secrets.
    /// </summary>
    /// <value>The default is empty: only callers with the <see cref="ServingRole"/> app role.</value>
    public string ServingCallers { get; set; } = string.Empty;

    /// <summary>Gets or sets the caller ids admitted to <see cref="RouteGroup.Privacy"/> routes (as <see cref="ServingCallers"/>).</summary>
    /// <value>The default is empty: only callers with the <see cref="PrivacyRole"/> app role.</value>
    public string PrivacyCallers { get; set; } = string.Empty;

    /// <summary>Gets or sets the caller ids admitted to <see cref="RouteGroup.Operations"/> routes (as <see cref="ServingCallers"/>).</summary>
    /// <value>The default is empty: only callers with the <see cref="OperationsRole"/> app role.</value>
    public string OperationsCallers { get; set; } = string.Empty;
}
