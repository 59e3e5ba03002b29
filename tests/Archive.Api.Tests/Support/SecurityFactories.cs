using System.Collections.Concurrent;
using System.Net;
using Archive.Audit;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;

namespace Archive.Api.Tests.Support;

/// <summary>An <see cref="IAuditTrail"/> that keeps events in memory (a test double; registered last, so it wins over the engine's).</summary>
public sealed class RecordingAuditTrail : IAuditTrail
{
    private long _sequence;

    public ConcurrentQueue<AuditEvent> Events { get; } = new();

    public ValueTask<AuditRecord> AppendAsync(AuditEvent auditEvent, CancellationToken cancellationToken = default)
    {
        Events.Enqueue(auditEvent);
        var n = Interlocked.Increment(ref _sequence);
        return ValueTask.FromResult(new AuditRecord { Sequence = n, Timestamp = DateTimeOffset.UtcNow, Event = auditEvent, PreviousHash = new string('0', 64), Hash = new string('0', 64) });
    }
}

/// <summary>Every request comes from 203.0.113.7 (TestServer has no remote address), and the audit trail is recorded.</summary>
public class AuditedApiFactory : ApiFactory
{
    public const string ClientAddress = "203.0.113.7";

    public RecordingAuditTrail Audit { get; } = new();

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        builder.ConfigureTestServices(services =>
        {
            services.AddSingleton<IAuditTrail>(Audit);
            services.AddSingleton<IStartupFilter, RemoteAddressFilter>();
        });
    }

    private sealed class RemoteAddressFilter : IStartupFilter
    {
        public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
        {
            app.Use((http, nextMiddleware) =>
            {
                http.Connection.RemoteIpAddress = IPAddress.Parse(ClientAddress);
                return nextMiddleware(http);
            });
            next(app);
        };
    }
}

/// <summary>Five failed authentications per address lock it out.</summary>
public sealed class LockoutApiFactory : AuditedApiFactory
{
    public const int Limit = 5;

    protected override int MaxFailedAuthentications => Limit;
}

/// <summary>Five requests per minute per client.</summary>
public sealed class RateLimitedApiFactory : ApiFactory
{
    public const int Limit = 5;

    protected override int RequestsPerMinute => Limit;
}

/// <summary>The reading room closed to anonymous callers.</summary>
public sealed class ClosedReadingRoomApiFactory : ApiFactory
{
    protected override bool? AnonymousReadingRoom => false;
}

/// <summary>A search index that fails with an internal message, to force a 500.</summary>
public sealed class FailingSearchApiFactory : ApiFactory
{
    public const string InternalDetail = "connection string Password=hunter2 at /srv/index";

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        builder.ConfigureTestServices(services =>
        {
            var index = new Moq.Mock<Archive.Search.ISearchIndex>();
            index.Setup(i => i.SearchAsync(Moq.It.IsAny<Archive.Search.SearchRequest>(), Moq.It.IsAny<CancellationToken>()))
                .Throws(new InvalidOperationException(InternalDetail));
            services.AddSingleton(index.Object);
        });
    }
}
