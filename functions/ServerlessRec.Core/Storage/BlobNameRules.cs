namespace ServerlessRec.Storage;

/// <summary>
/// The container and blob names every <see cref="IBlobStore"/> accepts. Both backends apply the same
/// rules, so a name that works on the local folder also works on Azure and the other way round.
/// </summary>
/// <remarks>
/// Container names follow Azure's rules: 3–63 characters, lowercase letters, digits and single hyphens,
/// starting and ending with a letter or digit. Blob names are relative paths of at most 1024 characters
/// with '/' between non-empty segments; '.' and '..' segments, backslashes, control characters and
/// rooted paths are rejected because they would escape or alias a folder on disk.
/// </remarks>
public static class BlobNameRules
{
    /// <summary>The longest blob name Azure Blob Storage accepts.</summary>
    public const int MaxBlobNameLength = 1024;

    /// <summary>The shortest container name.</summary>
    public const int MinContainerNameLength = 3;

    /// <summary>The longest container name.</summary>
    public const int MaxContainerNameLength = 63;

    /// <summary>Throws an <see cref="ArgumentException"/> saying what is wrong when <paramref name="container"/> is not a valid container name.</summary>
    /// <param name="container">The container name to check.</param>
    /// <param name="paramName">The parameter name reported in the exception.</param>
    public static void ValidateContainerName(string container, string paramName = "container")
    {
        ArgumentNullException.ThrowIfNull(container, paramName);
        if (container.Length is < MinContainerNameLength or > MaxContainerNameLength)
        {
            throw new ArgumentException(
                $"Container name \"{container}\" must be {MinContainerNameLength} to {MaxContainerNameLength} characters long, not {container.Length}.",
                paramName);
        }

        for (int i = 0; i < container.Length; i++)
        {
            char c = container[i];
            bool letterOrDigit = c is (>= 'a' and <= 'z') or (>= '0' and <= '9');
            if (letterOrDigit)
            {
                continue;
            }

            if (c != '-')
            {
                throw new ArgumentException(
                    $"Container name \"{container}\" may hold only lowercase letters, digits and hyphens; found '{c}' at position {i}.",
                    paramName);
            }

            if (i == 0 || i == container.Length - 1 || container[i - 1] == '-')
            {
                throw new ArgumentException(
                    $"Container name \"{container}\" must start and end with a letter or digit and must not hold two hyphens in a row.",
                    paramName);
            }
        }
    }

    /// <summary>Throws an <see cref="ArgumentException"/> saying what is wrong when <paramref name="name"/> is not a valid blob name.</summary>
    /// <param name="name">The blob name to check, e.g. <c>2026/11/28/10/web-1.jsonl</c>.</param>
    /// <param name="paramName">The parameter name reported in the exception.</param>
    public static void ValidateBlobName(string name, string paramName = "name")
    {
        ArgumentNullException.ThrowIfNull(name, paramName);
        if (name.Length == 0)
        {
            throw new ArgumentException("Blob name must not be empty.", paramName);
        }

        if (name.Length > MaxBlobNameLength)
        {
            throw new ArgumentException(
                $"Blob name must be at most {MaxBlobNameLength} characters long, not {name.Length}.", paramName);
        }

        ValidateCharacters(name, "Blob name", paramName);
        if (name[^1] == '/')
        {
            throw new ArgumentException($"Blob name \"{name}\" ends with '/'; its last segment must not be empty.", paramName);
        }

        ValidateSegments(name, name.Length, "Blob name", paramName);
    }

    /// <summary>
    /// Throws an <see cref="ArgumentException"/> when <paramref name="prefix"/> cannot start any valid blob
    /// name. The empty prefix is valid; the last segment of a prefix may be partial.
    /// </summary>
    /// <param name="prefix">The listing prefix to check, e.g. <c>2026/11/</c> or <c>models/v1</c>.</param>
    /// <param name="paramName">The parameter name reported in the exception.</param>
    public static void ValidatePrefix(string prefix, string paramName = "prefix")
    {
        ArgumentNullException.ThrowIfNull(prefix, paramName);
        if (prefix.Length > MaxBlobNameLength)
        {
            throw new ArgumentException(
                $"Prefix must be at most {MaxBlobNameLength} characters long, not {prefix.Length}.", paramName);
        }

        ValidateCharacters(prefix, "Prefix", paramName);
        int lastSlash = prefix.LastIndexOf('/');
        if (lastSlash >= 0)
        {
            ValidateSegments(prefix, lastSlash + 1, "Prefix", paramName);
        }
    }

    private static void ValidateCharacters(string value, string what, string paramName)
    {
        for (int i = 0; i < value.Length; i++)
        {
            char c = value[i];
            if (char.IsControl(c))
            {
                throw new ArgumentException(
                    $"{what} \"{value.ReplaceLineEndings(" ")}\" holds control character U+{(int)c:X4} at position {i}.", paramName);
            }

            if (c == '\\')
            {
                throw new ArgumentException(
                    $"{what} \"{value}\" holds a backslash at position {i}; use '/' between segments.", paramName);
            }
        }

        if (value.Length > 0 && (value[0] == '/' || Path.IsPathRooted(value)))
        {
            throw new ArgumentException($"{what} \"{value}\" must be a relative path, not start at a root.", paramName);
        }
    }

    // Checks the '/'-separated segments before 'end'; a prefix passes the end of its last '/' so its partial last segment is skipped.
    private static void ValidateSegments(string value, int end, string what, string paramName)
    {
        int start = 0;
        while (start < end)
        {
            int slash = value.IndexOf('/', start, end - start);
            int segmentEnd = slash < 0 ? end : slash;
            ReadOnlySpan<char> segment = value.AsSpan(start, segmentEnd - start);
            if (segment.IsEmpty)
            {
                throw new ArgumentException(
                    $"{what} \"{value}\" has an empty segment at position {start}; '/' must separate non-empty segments.", paramName);
            }

            if (segment is "." or "..")
            {
                throw new ArgumentException(
                    $"{what} \"{value}\" has a '{segment}' segment at position {start}; relative path segments are not allowed.", paramName);
            }

            if (slash < 0)
            {
                return;
            }

            start = slash + 1;
        }
    }
}
