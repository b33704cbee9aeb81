using System.Buffers;
using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;
using Microsoft.AspNetCore.Http;
using Microsoft.Net.Http.Headers;
using ServerlessRec.Serving;

namespace ServerlessRec.Http;

/// <summary>
/// Reads a JSON request body up to <see cref="MaxBytes"/>: a body that is not declared as JSON is a 415, a larger one
/// a 413, an empty or malformed one a 400, and a property the contract does not have a 400 naming it.
/// </summary>
public static class RequestBody
{
    /// <summary>The largest body any route accepts: 256 KiB.</summary>
    public const int MaxBytes = 256 * 1024;

    /// <summary>
    /// Gets the options request bodies are read with: reflection metadata (built once and cached by the options),
    /// which keeps property initializers of init-only properties; strict otherwise (no numbers in strings, no comments,
    /// no properties the contract does not declare).
    /// </summary>
    public static JsonSerializerOptions Options { get; } = CreateOptions();

    /// <summary>Reads and deserializes the body.</summary>
    /// <exception cref="BadHttpRequestException">
    /// The body is not declared as <c>application/json</c> (415), is larger than <see cref="MaxBytes"/> (413) or is empty (400).
    /// </exception>
    /// <exception cref="RequestValidationException">The body has a property <typeparamref name="T"/> does not declare.</exception>
    /// <exception cref="JsonException">The body is not valid JSON for <typeparamref name="T"/>.</exception>
    public static async Task<T> ReadAsync<T>(HttpRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var typeInfo = (JsonTypeInfo<T>)Options.GetTypeInfo(typeof(T));
        EnsureJsonContentType(request.ContentType);
        if (request.ContentLength > MaxBytes)
        {
            throw TooLarge();
        }

        // Read at most MaxBytes + 1: a body without Content-Length (chunked) is cut off there, never buffered whole.
        var buffer = ArrayPool<byte>.Shared.Rent(MaxBytes + 1);
        try
        {
            var length = 0;
            while (length <= MaxBytes)
            {
                var read = await request.Body.ReadAsync(buffer.AsMemory(length, MaxBytes + 1 - length), cancellationToken).ConfigureAwait(false);
                if (read == 0)
                {
                    break;
                }

                length += read;
            }

            if (length > MaxBytes)
            {
                throw TooLarge();
            }

            if (length == 0)
            {
                throw new BadHttpRequestException("the request body is empty; a JSON object is required", StatusCodes.Status400BadRequest);
            }

            EnsureWellFormed(buffer.AsSpan(0, length));
            try
            {
                return JsonSerializer.Deserialize(buffer.AsSpan(0, length), typeInfo)
                    ?? throw new JsonException("the request body is null; a JSON object is required", "$", null, null);
            }
            catch (JsonException e) when (UnknownProperty(typeInfo, e.Path) is { } unknown)
            {
                throw unknown;
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>
    /// Requires <c>application/json</c> or <c>application/*+json</c>, in UTF-8 when a charset is given. A browser sends
    /// a cross-site <c>text/plain</c> or form POST without a CORS preflight; refusing every other media type means such
    /// a request never reaches a handler, whatever its body says.
    /// </summary>
    /// <exception cref="BadHttpRequestException">Any other or a missing media type (415).</exception>
    public static void EnsureJsonContentType(string? contentType)
    {
        if (!MediaTypeHeaderValue.TryParse(contentType, out var media))
        {
            throw Unsupported(contentType is null ? "the request has no Content-Type; send application/json" : "the Content-Type is not a media type; send application/json");
        }

        var type = media.MediaType.AsSpan();
        var isJson = type.Equals("application/json", StringComparison.OrdinalIgnoreCase)
            || (type.StartsWith("application/", StringComparison.OrdinalIgnoreCase) && type.EndsWith("+json", StringComparison.OrdinalIgnoreCase));
        if (!isJson)
        {
            throw Unsupported($"the Content-Type {Show(media.MediaType.Value)} is not supported; send application/json");
        }

        if (media.Charset.HasValue && !media.Charset.Equals("utf-8", StringComparison.OrdinalIgnoreCase) && !media.Charset.Equals("\"utf-8\"", StringComparison.OrdinalIgnoreCase))
        {
            throw Unsupported($"the charset {Show(media.Charset.Value)} is not supported; send application/json in UTF-8");
        }
    }

    /// <summary>
    /// Checks the syntax before binding, so a malformed body (truncated, a missing comma, nested too deep) is reported
    /// as malformed JSON rather than as whichever field the binder had reached.
    /// </summary>
    private static void EnsureWellFormed(ReadOnlySpan<byte> json)
    {
        var reader = new Utf8JsonReader(json, new JsonReaderOptions { MaxDepth = Options.MaxDepth });
        while (reader.Read())
        {
        }
    }

    /// <summary>
    /// Tells an unknown property from a wrong value at the same path by walking our own contract metadata along the
    /// path the serializer reports (<c>$.filter.category</c>): if the last name is not a property of its parent, the
    /// body has a property the contract does not declare. The serializer's own message names our types, so it is not shown.
    /// </summary>
    private static RequestValidationException? UnknownProperty(JsonTypeInfo root, string? path)
    {
        if (path is null || !TryParsePath(path, out var segments) || segments.Count == 0 || segments[^1].Name is not { } name)
        {
            return null;
        }

        var parent = root;
        for (var i = 0; i < segments.Count - 1; i++)
        {
            var next = segments[i].Name is { } member
                ? parent.Kind == JsonTypeInfoKind.Object ? parent.Properties.FirstOrDefault(p => p.Name == member)?.PropertyType : null
                : parent.ElementType;
            if (next is null)
            {
                return null;
            }

            parent = Options.GetTypeInfo(Nullable.GetUnderlyingType(next) ?? next);
        }

        if (parent.Kind != JsonTypeInfoKind.Object || parent.Properties.Any(p => p.Name == name))
        {
            return null;
        }

        var field = path.StartsWith("$.", StringComparison.Ordinal) ? path[2..] : path.TrimStart('$');
        var known = string.Join(", ", parent.Properties.Select(p => p.Name));
        return new RequestValidationException(field, $"{field} is not a property of this request (names are case-sensitive; {(known.Length == 0 ? "it takes none" : "it takes " + known)})");
    }

    /// <summary>Splits a System.Text.Json path (<c>$.a.b[0]['c d']</c>) into property names and array indexes (null names).</summary>
    private static bool TryParsePath(string path, out List<(string? Name, int Index)> segments)
    {
        segments = [];
        if (!path.StartsWith('$'))
        {
            return false;
        }

        var i = 1;
        while (i < path.Length)
        {
            if (path[i] == '.')
            {
                var end = path.IndexOfAny(['.', '['], i + 1);
                end = end < 0 ? path.Length : end;
                segments.Add((path[(i + 1)..end], -1));
                i = end;
            }
            else if (path.AsSpan(i).StartsWith("['", StringComparison.Ordinal))
            {
                var end = path.IndexOf("']", i + 2, StringComparison.Ordinal);
                if (end < 0)
                {
                    return false;
                }

                segments.Add((path[(i + 2)..end], -1));
                i = end + 2;
            }
            else if (path[i] == '[')
            {
                var end = path.IndexOf(']', i + 1);
                if (end < 0 || !int.TryParse(path.AsSpan(i + 1, end - i - 1), System.Globalization.CultureInfo.InvariantCulture, out var index))
                {
                    return false;
                }

                segments.Add((null, index));
                i = end + 1;
            }
            else
            {
                return false;
            }
        }

        return true;
    }

    private static JsonSerializerOptions CreateOptions()
    {
        var options = new JsonSerializerOptions
        {
            TypeInfoResolver = new DefaultJsonTypeInfoResolver(),

            // A misspelt or unsupported property ("K", "filter.category") would otherwise be dropped and the request
            // answered as if it had not been sent: a default list with 200.
            UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
        };
        options.MakeReadOnly();
        return options;
    }

    private static string Show(string? value) => value is null ? "\"\"" : "\"" + (value.Length <= 60 ? value : value[..60] + "…") + "\"";

    private static BadHttpRequestException TooLarge() =>
        new($"the request body is larger than {MaxBytes / 1024} KiB", StatusCodes.Status413PayloadTooLarge);

    private static BadHttpRequestException Unsupported(string message) => new(message, StatusCodes.Status415UnsupportedMediaType);
}
