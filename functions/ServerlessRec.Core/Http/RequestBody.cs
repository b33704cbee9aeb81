using System.Buffers;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Microsoft.AspNetCore.Http;

namespace ServerlessRec.Http;

/// <summary>Reads a JSON request body up to <see cref="MaxBytes"/>; a larger body is a 413, an empty or malformed one a 400.</summary>
public static class RequestBody
{
    /// <summary>The largest body any route accepts: 256 KiB.</summary>
    public const int MaxBytes = 256 * 1024;

    /// <summary>
    /// Gets the options request bodies are read with: reflection metadata (built once and cached by the options),
    /// which keeps property initializers of init-only properties; strict otherwise (no numbers in strings, no comments).
    /// </summary>
    public static JsonSerializerOptions Options { get; } = CreateOptions();

    /// <summary>Reads and deserializes the body.</summary>
    /// <exception cref="BadHttpRequestException">The body is larger than <see cref="MaxBytes"/> (413) or empty (400).</exception>
    /// <exception cref="JsonException">The body is not valid JSON for <typeparamref name="T"/>.</exception>
    public static async Task<T> ReadAsync<T>(HttpRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var typeInfo = (JsonTypeInfo<T>)Options.GetTypeInfo(typeof(T));
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
            return JsonSerializer.Deserialize(buffer.AsSpan(0, length), typeInfo)
                ?? throw new JsonException("the request body is null; a JSON object is required", "$", null, null);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
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

    private static JsonSerializerOptions CreateOptions()
    {
        var options = new JsonSerializerOptions { TypeInfoResolver = new DefaultJsonTypeInfoResolver() };
        options.MakeReadOnly();
        return options;
    }

    private static BadHttpRequestException TooLarge() =>
        new($"the request body is larger than {MaxBytes / 1024} KiB", StatusCodes.Status413PayloadTooLarge);
}
