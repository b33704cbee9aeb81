namespace ServerlessRec.Serving;

/// <summary>Gives the live model to request handlers.</summary>
public interface ILiveModelSource
{
    /// <summary>Returns the live model, or null when no model has been activated yet.</summary>
    ValueTask<ServingModel?> GetCurrentAsync(CancellationToken cancellationToken = default);

    /// <summary>Gets why the newest activated version could not be loaded (the previous one keeps serving), or null.</summary>
    string? LastLoadError => null;

    /// <summary>Returns the challenger model and its share of users (call after <see cref="GetCurrentAsync"/>), or null when none runs or it could not be loaded.</summary>
    ServingChallenger? Challenger => null;
}
