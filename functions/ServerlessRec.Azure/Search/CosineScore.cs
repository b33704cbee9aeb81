namespace ServerlessRec.Azure.Search;

/// <summary>
/// Turns a cosine <c>@search.score</c> back into the dot product the embedded index reports. The service
/// scores cosine as 1 / (1 + (1 − cos)), so cos = 2 − 1/score; with unit-length item vectors the dot
/// product is cos × ‖query‖.
/// </summary>
internal static class CosineScore
{
    public static float ToDotProduct(double searchScore, float queryNorm) =>
        searchScore <= 0 ? float.NegativeInfinity : (float)((2.0 - (1.0 / searchScore)) * queryNorm);
}
