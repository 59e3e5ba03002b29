using Archive;
using Archive.Hosting;
using Archive.Records;
using Archive.Retention;
using Archive.Transfer;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers the transfer to the Historical Archives (both sides) on top of <c>AddArchive</c>.</summary>
public static class TransferServiceCollectionExtensions
{
    /// <summary>
    /// Registers <see cref="TransferService"/> (submitting side: due list, submission package, accession mark) and
    /// <see cref="AccessionService"/> (Historical Archives side: verify and accession) as singletons. Office versions
    /// of the documents are written by every registered <see cref="ITransferDocumentWriter"/>; when none is registered,
    /// by an <see cref="OfficeTransferDocumentWriter"/> over the registered <see cref="Archive.Documents.IOfficeDocumentWriter"/>
    /// (<c>.AddOpenXmlDocuments()</c> or <c>.AddEmbeddedDefaults()</c>; resolving <see cref="TransferService"/> without
    /// either fails with a message saying so).
    /// </summary>
    /// <param name="builder">The builder returned by <c>AddArchive</c>.</param>
    /// <returns>The builder.</returns>
    public static IArchiveBuilder AddTransfer(this IArchiveBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var services = builder.Services;
        services.TryAddSingleton(sp => new TransferService(
            sp.GetRequiredService<ArchiveStorage>(),
            sp.GetRequiredService<RecordFileService>(),
            sp.GetRequiredService<FondsRegistry>(),
            sp.GetRequiredService<AgencyRegistry>(),
            sp.GetRequiredService<RetentionPlanner>(),
            sp.GetServices<ITransferDocumentWriter>().ToList() is { Count: > 0 } writers
                ? writers
                : [new OfficeTransferDocumentWriter(RequiredServices.OfficeDocuments(sp, nameof(TransferService)))],
            sp.GetService<TimeProvider>()));
        services.TryAddSingleton(sp => new AccessionService(
            sp.GetRequiredService<RecordFileService>(),
            sp.GetRequiredService<FondsRegistry>(),
            sp.GetRequiredService<AgencyRegistry>(),
            sp.GetRequiredService<RetentionScheduleService>(),
            sp.GetRequiredService<IOptions<ArchiveOptions>>(),
            sp.GetService<TimeProvider>()));
        return builder;
    }
}
