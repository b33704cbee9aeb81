using System.Text;
using ServerlessRec.Events;

namespace ServerlessRec.Core.Tests.Events;

public sealed class Utf8StringCacheTests
{
    [Fact]
    public void GetString_SameBytesTwice_ReturnsTheSameInstance()
    {
        var cache = new Utf8StringCache();

        var first = cache.GetString("u42"u8);
        var second = cache.GetString("u42"u8.ToArray());

        Assert.Equal("u42", first);
        Assert.Same(first, second);
    }

    [Fact]
    public void GetString_ManyDifferentValues_AlwaysDecodesTheBytesGiven()
    {
        var cache = new Utf8StringCache();

        // Far more values than slots: collisions must replace, never return another value's string.
        for (var round = 0; round < 2; round++)
        {
            for (var i = 0; i < 20_000; i++)
            {
                var text = "item-é" + i.ToString(System.Globalization.CultureInfo.InvariantCulture);
                Assert.Equal(text, cache.GetString(Encoding.UTF8.GetBytes(text)));
            }
        }
    }

    [Fact]
    public void GetString_LongerThanTheCachedLimit_IsDecoded()
    {
        var cache = new Utf8StringCache();
        var text = new string('x', Utf8StringCache.MaxCachedBytes + 1);

        Assert.Equal(text, cache.GetString(Encoding.UTF8.GetBytes(text)));
        Assert.Equal(string.Empty, cache.GetString([]));
    }
}
