using ServerlessRec.Events;

namespace ServerlessRec.Serving;

/// <summary>Validates ids and events at the serving edge, with the same rules as the event contract.</summary>
public static class RequestRules
{
    /// <summary>The maximum id length of the event contract.</summary>
    public const int MaxIdLength = 128;

    /// <summary>The largest k a request may ask for.</summary>
    public const int MaxK = 200;

    /// <summary>The most events a request may carry.</summary>
    public const int MaxRequestEvents = 200;

    /// <summary>The most item ids <c>filter.excludeItemIds</c> may hold.</summary>
    public const int MaxExcludeItemIds = 1000;

    /// <summary>The most categories <c>filter.categories</c> may hold.</summary>
    public const int MaxCategories = 50;

    /// <summary>Throws when an id is missing, too long or has control characters.</summary>
    public static string Id(string? value, string field)
    {
        if (string.IsNullOrEmpty(value))
        {
            throw new RequestValidationException(field, $"{field} is required");
        }

        if (value.Length > MaxIdLength)
        {
            throw new RequestValidationException(field, $"{field} is longer than {MaxIdLength} characters");
        }

        foreach (var c in value)
        {
            if (char.IsControl(c))
            {
                throw new RequestValidationException(field, $"{field} contains a control character");
            }
        }

        return value;
    }

    /// <summary>Validates one request event against the model's event types.</summary>
    public static InteractionEvent Event(RequestEvent? e, string userId, EventTypeOptions types, DateTimeOffset now, string field)
    {
        if (e is null)
        {
            throw new RequestValidationException(field, $"{field} is null");
        }

        var itemId = Id(e.ItemId, field + ".itemId");
        var type = e.Type ?? throw new RequestValidationException(field + ".type", $"{field}.type is required");
        if (!types.IsKnown(type))
        {
            throw new RequestValidationException(field + ".type", $"{field}.type \"{Truncate(type)}\" is not a configured event type ({string.Join(", ", types.Types.Keys.Order(StringComparer.Ordinal))})");
        }

        if (e.Value is { } v && !EventValueRange.Contains(v))
        {
            throw new RequestValidationException(field + ".value", $"{field}.value must be {EventValueRange.Description}");
        }

        var timestamp = e.Timestamp ?? now;
        if (timestamp > now.AddDays(1))
        {
            throw new RequestValidationException(field + ".timestamp", $"{field}.timestamp is more than a day in the future");
        }

        // Whole seconds, UTC: what the log, the dataset and the seeded histories keep, so the same event is the same
        // everywhere (a seeded copy of a posted event is recognised as a duplicate, and ties order alike).
        return new InteractionEvent(userId, itemId, type, DateTimeOffset.FromUnixTimeSeconds(timestamp.ToUnixTimeSeconds()), e.Value);
    }

    /// <summary>
    /// Validates the attribution fields of a posted event: <c>recommendationId</c> must be a response's id
    /// (<see cref="RecommendationIds"/>), and <c>position</c>, which needs it, a whole number from 0 to <see cref="MaxK"/> − 1.
    /// </summary>
    /// <returns>The recommendation id, or <see langword="null"/> when the event has none.</returns>
    public static string? RecommendationId(string? recommendationId, int? position, string field)
    {
        if (recommendationId is null)
        {
            return position is null
                ? null
                : throw new RequestValidationException(field + ".position", $"{field}.position needs the recommendationId of the response that showed the item");
        }

        if (!RecommendationIds.IsValid(recommendationId))
        {
            throw new RequestValidationException(field + ".recommendationId", $"{field}.recommendationId \"{Truncate(recommendationId)}\" is not the recommendationId of a response ({RecommendationIds.Length} characters of A–Z, a–z, 0–9, '-' and '_')");
        }

        if (position is < 0 or >= MaxK)
        {
            throw new RequestValidationException(field + ".position", $"{field}.position must be a whole number from 0 to {MaxK - 1} (the item's 0-based place in the list)");
        }

        return recommendationId;
    }

    private static string Truncate(string value) => value.Length <= 40 ? value : value[..40] + "…";
}
