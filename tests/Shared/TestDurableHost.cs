using System.Net;
using System.Net.Sockets;
using Microsoft.DurableTask;
using Microsoft.DurableTask.Testing;

namespace ServerlessRec.Tests.Durable;

/// <summary>
/// Starts the in-process Durable Task test host on a loopback port the kernel reports free. Left alone, the host picks a
/// random port in 30000–40000 without checking it, which overlaps Linux's ephemeral ports and the other hosts that
/// parallel tests start ("address already in use").
/// </summary>
internal static class TestDurableHost
{
    public static Task<DurableTaskTestHost> StartAsync(Action<DurableTaskRegistry> tasks, DurableTaskTestHostOptions? options = null)
    {
        options ??= new DurableTaskTestHostOptions();
        options.Port = FreePort();
        return DurableTaskTestHost.StartAsync(tasks, options);
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
