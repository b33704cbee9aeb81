namespace ServerlessRec.Serving;

/// <summary>The challenger served beside the live model: its model and the share of users (by bucket) that get it.</summary>
/// <param name="Model">The challenger version, loaded.</param>
/// <param name="Share">The share of users: a user whose <see cref="UserIdHasher.Bucket"/> is below it gets the challenger.</param>
public sealed record ServingChallenger(ServingModel Model, double Share);
