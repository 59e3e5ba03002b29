using Archive.Search;

namespace Archive.Records;

public sealed partial class RecordFileService
{
    private async ValueTask CheckDuplicatesAsync(RecordFile file, Document document, List<RecordWarning> warnings, CancellationToken cancellationToken, SearchConsistency consistency = SearchConsistency.ReadYourWrites)
    {
        var key = RecordRules.DuplicateKey(document);
        if (key is null)
        {
            return;
        }

        var field = $"documents[{document.DocOrdinal}].codeNumber";
        foreach (var other in file.Documents)
        {
            if (other.DocOrdinal != document.DocOrdinal && RecordRules.DuplicateKey(other) == key)
            {
                warnings.Add(new(field, "document.duplicate-number", $"Document {other.DocOrdinal} of this file has the same number and symbol {document.NumberAndSymbol} from {document.OrganName} ({document.IssuedDate?.Year})."));
            }
        }

        // Other record files of the same agency: ask the search index (a projection, so eventually complete).
        try
        {
            var results = await _indexer.Index.SearchAsync(
                new SearchRequest
                {
                    Filters =
                    [
                        new TermsFilter(SearchFields.Kind, [nameof(SearchDocumentKind.Document)]),
                        new TermsFilter(SearchFields.CodeNumber, [document.NumberAndSymbol!]),
                        new TermsFilter(SearchFields.Agency, [file.OrganId]),
                    ],
                    PageSize = 50,
                    Consistency = consistency,
                },
                cancellationToken).ConfigureAwait(false);
            foreach (var hit in results.Hits)
            {
                var h = hit.Document;
                if (string.Equals(h.ParentId, file.FileCode, StringComparison.Ordinal) || !RecordRules.TryParseNumberAndSymbol(h.CodeNumber, out var number, out var symbol))
                {
                    continue;
                }

                var probe = new Document { DocOrdinal = 1, CodeNumber = number, CodeNotation = symbol, OrganName = h.IssuingBody, IssuedDate = h.Date };
                if (RecordRules.DuplicateKey(probe) == key)
                {
                    warnings.Add(new(field, "document.duplicate-number", $"Document {h.Id} already has the number and symbol {document.NumberAndSymbol} from {document.OrganName} ({document.IssuedDate?.Year})."));
                }
            }
        }
#pragma warning disable CA1031 // A warning check must not block the change; the failure is logged.
        catch (Exception ex) when (ex is not OperationCanceledException)
#pragma warning restore CA1031
        {
            LogDuplicateCheckFailed(_logger, file.FileCode, ex);
        }
    }
}
