namespace ServerlessRec.Azure.Search;

/// <summary>
/// Maps a model version to its index name (<c>prefix + version</c>) and back. Versions are validated, not
/// rewritten: the version is read back from the index name, so a lossy rewrite would lose it.
/// </summary>
internal static class ItemIndexName
{
    /// <summary>The longest index name Azure AI Search accepts.</summary>
    public const int MaxLength = 128;

    public static string For(string prefix, string version)
    {
        ArgumentNullException.ThrowIfNull(version);
        var name = prefix + version;
        if (!IsValidVersion(version))
        {
            throw new ArgumentException(
                $"model version \"{version}\" cannot name an Azure AI Search index (\"{name}\"): a version must start and end with a lower-case letter or digit and hold only lower-case letters, digits and single dashes",
                nameof(version));
        }

        if (name.Length > MaxLength)
        {
            throw new ArgumentException(
                $"model version \"{version}\" makes the index name \"{name}\" {name.Length} characters long; Azure AI Search allows at most {MaxLength}",
                nameof(version));
        }

        return name;
    }

    public static bool TryGetVersion(string prefix, string indexName, out string version)
    {
        version = string.Empty;
        if (!indexName.StartsWith(prefix, StringComparison.Ordinal))
        {
            return false;
        }

        var candidate = indexName[prefix.Length..];
        if (!IsValidVersion(candidate))
        {
            return false;
        }

        version = candidate;
        return true;
    }

    private static bool IsValidVersion(string version)
    {
        if (version.Length == 0 || version[0] == '-' || version[^1] == '-')
        {
            return false;
        }

        for (var i = 0; i < version.Length; i++)
        {
            var c = version[i];
            var allowed = char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || (c == '-' && version[i - 1] != '-');
            if (!allowed)
            {
                return false;
            }
        }

        return true;
    }
}
