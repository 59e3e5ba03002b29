using Archive;
using Archive.Handover;
using Archive.Hosting;
using Archive.Records;
using Archive.Reorganisation;
using Archive.Storage;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers the reorganisation workflows (events, plans, handover packages) on top of <c>AddArchive</c>.</summary>
public static class ReorganisationServiceCollectionExtensions
{
    /// <summary>
    /// Registers <see cref="ReorganisationService"/>, <see cref="ReorganisationPlanService"/> and
    /// <see cref="HandoverService"/> as singletons (events in <c>ocfl/events</c>, plans in <c>ocfl/plans</c>).
    /// The handover prints its documents with the registered <see cref="Archive.Documents.IOfficeDocumentWriter"/>
    /// (<c>.AddOpenXmlDocuments()</c> or <c>.AddEmbeddedDefaults()</c>); resolving <see cref="HandoverService"/>
    /// without one fails with a message saying so.
    /// </summary>
    /// <param name="builder">The builder returned by <c>AddArchive</c>.</param>
    /// <param name="configurePlans">Optional plan settings (deadline offsets, Historical Archives name).</param>
    /// <returns>The builder.</returns>
    public static IArchiveBuilder AddReorganisation(this IArchiveBuilder builder, Action<PlanOptions>? configurePlans = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var plans = new PlanOptions();
        configurePlans?.Invoke(plans);
        var services = builder.Services;
        services.AddSingleton(new ArchiveCollectionRoot(ReorganisationService.EventsRoot)); // duplicates are harmless: ArchiveStorage opens each root once
        services.AddSingleton(new ArchiveCollectionRoot(ReorganisationPlanService.PlansRoot)); // duplicates are harmless: ArchiveStorage opens each root once
        services.TryAddSingleton(sp => new ReorganisationService(
            sp.GetRequiredService<IObjectStore>(),
            (_, root) => sp.GetRequiredService<ArchiveStorage>().Open(root),
            sp.GetRequiredService<AgencyRegistry>(),
            sp.GetRequiredService<FondsRegistry>(),
            sp.GetService<TimeProvider>()));
        services.TryAddSingleton(sp => new ReorganisationPlanService(
            sp.GetRequiredService<IObjectStore>(),
            (_, root) => sp.GetRequiredService<ArchiveStorage>().Open(root),
            sp.GetRequiredService<ReorganisationService>(),
            sp.GetRequiredService<AgencyRegistry>(),
            plans)
        {
            Backlog = sp.GetService<Archive.Registers.BacklogService>(),
        });
        services.TryAddSingleton(sp => new HandoverService(
            sp.GetRequiredService<ArchiveStorage>(),
            sp.GetRequiredService<RecordFileService>(),
            sp.GetRequiredService<FondsRegistry>(),
            sp.GetRequiredService<AgencyRegistry>(),
            RequiredServices.OfficeDocuments(sp, nameof(HandoverService)),
            sp.GetRequiredService<IOptions<ArchiveOptions>>(),
            sp.GetService<TimeProvider>())
        {
            Audit = sp.GetService<Archive.Audit.IAuditTrail>(),
        });
        return builder;
    }
}
