using System.Text.RegularExpressions;

namespace ServerlessRec.Infra.Tests;

/// <summary>
/// No secret in the configuration samples a developer copies (local settings, parameter files, host.json, azure.yaml)
/// or in the documentation: the cloud uses managed identity, Azurite uses <c>UseDevelopmentStorage=true</c>.
/// </summary>
public sealed partial class ConfigSamplesSecretsTests
{
    private static readonly string[] SkippedFolders = ["bin", "obj", "node_modules", ".git", ".serverlessrec", ".azurite", "TestResults"];

    /// <summary>The shapes of the secrets this project could leak, each with what it is.</summary>
    private static readonly (string Name, Regex Pattern)[] SecretShapes =
    [
        ("storage account key in a connection string", AccountKeyPattern()),
        ("shared access signature", SharedAccessPattern()),
        ("SAS token signature", SasSignaturePattern()),
        ("API key with a value", ApiKeyPattern()),
        ("base64 key (a storage or search key is 44–88 characters)", Base64KeyPattern()),
        ("private key", PrivateKeyPattern()),
        ("client secret with a value", ClientSecretPattern()),
    ];

    /// <summary>Every configuration sample and Markdown document of the repository, relative to its root.</summary>
    public static TheoryData<string> Files()
    {
        var root = InfraPaths.RepositoryRoot;
        var files = new TheoryData<string>();
        foreach (var path in Enumerate(root).Order(StringComparer.Ordinal))
        {
            files.Add(path);
        }

        return files;
    }

    private static IEnumerable<string> Enumerate(string root)
    {
        var pending = new Stack<string>([root]);
        while (pending.Count > 0)
        {
            var directory = pending.Pop();
            foreach (var sub in Directory.EnumerateDirectories(directory))
            {
                if (!SkippedFolders.Contains(Path.GetFileName(sub), StringComparer.Ordinal))
                {
                    pending.Push(sub);
                }
            }

            foreach (var file in Directory.EnumerateFiles(directory))
            {
                var name = Path.GetFileName(file);
                var relative = Path.GetRelativePath(root, file).Replace('\\', '/');
                var isSample =
                    name.StartsWith("local.settings", StringComparison.OrdinalIgnoreCase)
                    || name.StartsWith("appsettings", StringComparison.OrdinalIgnoreCase)
                    || name.EndsWith(".bicepparam", StringComparison.OrdinalIgnoreCase)
                    || (relative.StartsWith("infra/", StringComparison.Ordinal) && name.Contains("parameters", StringComparison.OrdinalIgnoreCase))
                    || name is "host.json" or "azure.yaml"
                    || name.EndsWith(".md", StringComparison.OrdinalIgnoreCase)
                    || name.StartsWith(".env", StringComparison.Ordinal);
                if (isSample)
                {
                    yield return relative;
                }
            }
        }
    }

    [Fact]
    public void Files_TheSamplesThatExist_AreAllScanned()
    {
        var files = Enumerate(InfraPaths.RepositoryRoot).ToList();

        Assert.Contains("host.json", files);
        Assert.Contains("azure.yaml", files);
        Assert.Contains("README.md", files);
        Assert.Contains("infra/main.parameters.json", files);
        Assert.Contains("functions/ServerlessRec.Functions/local.settings.sample.json", files);
    }

    [Theory]
    [MemberData(nameof(Files))]
    public void ConfigSample_Content_HoldsNoSecret(string relativePath)
    {
        var lines = File.ReadAllLines(Path.Combine(InfraPaths.RepositoryRoot, relativePath));

        var found = Scan(lines).Select(f => $"{relativePath}:{f.Line}: {f.Name}").ToList();

        Assert.True(found.Count == 0, string.Join(Environment.NewLine, found));
    }

    [Theory]
    [InlineData("\"AzureWebJobsStorage\": \"DefaultEndpointsProtocol=https;AccountName=a;AccountKey=abc;EndpointSuffix=core.windows.net\"")]
    [InlineData("Endpoint=sb://x.servicebus.windows.net/;SharedAccessKeyName=root;SharedAccessKey=abc")]
    [InlineData("https://a.blob.core.windows.net/c?sv=2024-01-01&sig=AbCdEfGhIjKlMnOpQrStUvWxYz0123%2B")]
    [InlineData("\"Search__ApiKey\": \"0123456789abcdef0123456789abcdef\"")]
    [InlineData("api-key: 0123456789ABCDEF0123456789ABCDEF0123456789")]
    [InlineData("key = Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==")]
    [InlineData("-----BEGIN RSA PRIVATE KEY-----")]
    [InlineData("AZURE_CLIENT_SECRET=abc~DEF.ghi_0123456789")]
    public void Scan_KnownSecretShapes_AreFound(string line)
    {
        Assert.NotEmpty(Scan([line]));
    }

    [Theory]
    [InlineData("\"AzureWebJobsStorage\": \"UseDevelopmentStorage=true\"")]
    [InlineData("`Search__ApiKey` switches to an admin key instead of your identity.")]
    [InlineData("No key or secret is written to app settings or deployment outputs.")]
    [InlineData("| `ApiKey` | — | admin key; used only when set |")]
    public void Scan_SafeMentions_AreNotFlagged(string line)
    {
        Assert.Empty(Scan([line]));
    }

    private static IEnumerable<(int Line, string Name)> Scan(string[] lines)
    {
        for (var i = 0; i < lines.Length; i++)
        {
            foreach (var (name, pattern) in SecretShapes)
            {
                if (pattern.IsMatch(lines[i]))
                {
                    yield return (i + 1, name);
                }
            }
        }
    }

    [GeneratedRegex(@"AccountKey\s*=", RegexOptions.IgnoreCase)]
    private static partial Regex AccountKeyPattern();

    [GeneratedRegex(@"SharedAccess(Signature|Key)\s*=", RegexOptions.IgnoreCase)]
    private static partial Regex SharedAccessPattern();

    [GeneratedRegex(@"[?&]sig=[A-Za-z0-9%+/=]{16,}")]
    private static partial Regex SasSignaturePattern();

    [GeneratedRegex(@"api[-_]?key[""']?\s*[:=]\s*[""']?[A-Za-z0-9+/=_\-]{16,}", RegexOptions.IgnoreCase)]
    private static partial Regex ApiKeyPattern();

    [GeneratedRegex(@"[A-Za-z0-9+/]{43,}={1,2}")]
    private static partial Regex Base64KeyPattern();

    [GeneratedRegex(@"-----BEGIN [A-Z ]*PRIVATE KEY-----")]
    private static partial Regex PrivateKeyPattern();

    [GeneratedRegex(@"client[-_]?secret[""']?\s*[:=]\s*[""']?[^\s""']{8,}", RegexOptions.IgnoreCase)]
    private static partial Regex ClientSecretPattern();
}
