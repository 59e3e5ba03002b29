using Archive.Audit;
using Archive.Exchange;
using Archive.Integrations;
using Archive.Records;
using Archive.Reorganisation;
using Archive.Retention;
using Archive.Security;
using Archive.Storage;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Archive.Hosting;

/// <summary>The part of <c>AddArchive</c> for the change feed and webhooks (issue #19 item 1); <see cref="WebhookOptions"/> bind <c>Archive:Webhooks</c> in the host.</summary>
internal static class ArchiveIntegrationRegistrations
{
    public static void AddChangeFeedAndWebhooks(IServiceCollection services)
    {
        services.AddOptions<WebhookOptions>();
        services.TryAddSingleton(sp => new ChangeFeedService(
            sp.GetRequiredService<IAuditLog>(),
            sp.GetRequiredService<RecordFileService>(),
            sp.GetRequiredService<FondsRegistry>(),
            sp.GetService<IArchiveAccessPolicy>())
        {
            // Only the job records are read (by key, from the store); the work folder is never touched.
            HandoverJobs = new PackageJobStore(RequiredServices.ObjectStore(sp), Path.Combine(sp.GetRequiredService<IOptions<ArchiveOptions>>().Value.DataPath, "exchange")),
        });
        services.TryAddSingleton(sp => new WebhookUrlGuard(sp.GetRequiredService<IOptions<WebhookOptions>>().Value));
        services.TryAddSingleton(sp => new WebhookService(
            RequiredServices.ObjectStore(sp),
            sp.GetRequiredService<AgencyRegistry>(),
            sp.GetRequiredService<WebhookUrlGuard>(),
            sp.GetService<IAuditTrail>(),
            sp.GetService<IArchiveAccessPolicy>(),
            sp.GetService<TimeProvider>()));
        services.TryAddSingleton(sp => new WebhookDeliveryWorker(
            sp.GetRequiredService<WebhookService>(),
            sp.GetRequiredService<ChangeFeedService>(),
            sp.GetRequiredService<RecordFileService>(),
            sp.GetRequiredService<StorageLeases>(),
            sp.GetRequiredService<WebhookUrlGuard>(),
            sp.GetRequiredService<IOptions<WebhookOptions>>(),
            sp.GetService<TimeProvider>(),
            sp.GetService<ILogger<WebhookDeliveryWorker>>())
        {
            DueScanner = sp.GetService<IAuditTrail>() is { } audit
                ? new WebhookDueScanner(
                    RequiredServices.ObjectStore(sp),
                    audit,
                    sp.GetRequiredService<RetentionPlanner>(),
                    sp.GetService<ReorganisationService>(),
                    sp.GetService<ReorganisationPlanService>(),
                    sp.GetRequiredService<IOptions<WebhookOptions>>().Value,
                    sp.GetService<TimeProvider>(),
                    sp.GetService<ILogger<WebhookDeliveryWorker>>())
                : null,
        });
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IHostedService, WebhookDeliveryWorker>(sp => sp.GetRequiredService<WebhookDeliveryWorker>()));
    }
}
