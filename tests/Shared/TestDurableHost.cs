using System.Net;
using System.Net.Sockets;
using Microsoft.DurableTask;
using Microsoft.DurableTask.Testing;

namespace ServerlessRec.Tests.Durable;

/// <summary>
/// Starts the in-process Durable Task test host on a loopback port the kernel reports free. Left alone, the host listens
/// on a random port in 30000–40000 (its documented default), which can be taken by an ephemeral port or by a host that
/// a parallel test started ("address already in use"). The same as <c>LoopbackPort</c> in the CLI, which tests of Core
/// cannot reference.
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
