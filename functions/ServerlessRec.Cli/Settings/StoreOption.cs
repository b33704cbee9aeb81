using System.CommandLine;

namespace ServerlessRec.Cli.Settings;

/// <summary><c>--root DIR</c>: the local store's folder (<c>Storage:LocalRoot</c>); the store itself is the configured one (<see cref="CliConfiguration.OpenStore(Microsoft.Extensions.Configuration.IConfiguration, string?)"/>).</summary>
internal sealed class StoreOption
{
    private readonly CliContext _context;

    public StoreOption(CliContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        _context = context;
        Option = new Option<string>("--root")
        {
            Description = "The local store's folder (Storage:LocalRoot); refused when Storage:Provider selects Azure Blob Storage.",
            HelpName = "DIR",
        };
    }

    /// <summary>Gets the option, to add to a command.</summary>
    public Option<string> Option { get; }

    /// <summary>Opens the configured store, in the <c>--root</c> folder when given.</summary>
    public CliStore Open(ParseResult parse)
    {
        ArgumentNullException.ThrowIfNull(parse);
        return CliConfiguration.OpenStore(_context.Configuration, parse.GetValue(Option));
    }
}
