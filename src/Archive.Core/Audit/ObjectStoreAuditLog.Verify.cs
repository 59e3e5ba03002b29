using System.Security.Cryptography;
using System.Security.Cryptography.Pkcs;
using Archive.Storage;

namespace Archive.Audit;

public sealed partial class ObjectStoreAuditLog
{
    /// <inheritdoc />
    public async ValueTask<AuditVerification> VerifyAsync(CancellationToken cancellationToken = default)
    {
        var problems = new ProblemList(_options.MaxReportedProblems);
        long records = 0;
        long checkpointsChecked = 0;
        long expected = 1;
        long last = 0;
        string lastHash = string.Empty;
        string? previousHash = AuditCodec.GenesisHash; // null while the chain is interrupted by a gap or damage

        // Checkpoints are merge-joined with the records: both list in sequence order, so memory stays flat.
        await using var checkpoints = ReadCheckpointsAsync(problems, cancellationToken).GetAsyncEnumerator(cancellationToken);
        var pending = await NextAsync(checkpoints).ConfigureAwait(false);

        await foreach (var item in _store.ListAsync(RecordsPrefix, cancellationToken: cancellationToken).ConfigureAwait(false))
        {
            if (ParseSequence(item.Key, RecordsPrefix) is not { } keySequence)
            {
                problems.Add(new AuditProblem(expected, AuditProblemKind.Unreadable, $"Unexpected object '{item.Key}' among the audit records."));
                continue;
            }

            if (keySequence > expected)
            {
                problems.Add(new AuditProblem(expected, AuditProblemKind.Removed, keySequence - expected == 1
                    ? $"Record {expected} is missing (the next stored record is {keySequence})."
                    : $"Records {expected}..{keySequence - 1} are missing ({keySequence - expected} records)."));
                previousHash = null;
            }

            // Checkpoints pinning records before this one that do not exist (in a gap).
            while (pending is not null && pending.Sequence < keySequence)
            {
                checkpointsChecked++;
                problems.Add(new AuditProblem(pending.Sequence, AuditProblemKind.Truncated, $"Checkpoint {pending.Sequence} pins a record that does not exist."));

                pending = await NextAsync(checkpoints).ConfigureAwait(false);
            }

            records++;
            expected = keySequence + 1;
            last = keySequence;
            var bytes = await ReadBytesAsync(item.Key, cancellationToken).ConfigureAwait(false);
            AuditRecord record;
            try
            {
                record = AuditCodec.Deserialize(bytes ?? throw new FormatException("the object vanished during verification"));
            }
            catch (FormatException ex)
            {
                problems.Add(new AuditProblem(keySequence, AuditProblemKind.Unreadable, ex.Message));
                previousHash = null;
                lastHash = string.Empty;
                continue;
            }

            var computed = AuditCodec.ComputeHash(record.Sequence, record.Timestamp, record.Event, record.PreviousHash);
            if (record.Sequence != keySequence)
            {
                problems.Add(new AuditProblem(keySequence, AuditProblemKind.Reordered, $"The object of record {keySequence} holds record {record.Sequence}."));
            }
            else if (!string.Equals(computed, record.Hash, StringComparison.Ordinal))
            {
                problems.Add(new AuditProblem(keySequence, AuditProblemKind.Edited, $"Record {keySequence} hashes to {computed}, but its stored hash is {record.Hash}: its content was changed."));
            }
            else if (!bytes.AsSpan().SequenceEqual(AuditCodec.Serialize(record)))
            {
                problems.Add(new AuditProblem(keySequence, AuditProblemKind.Edited, $"Record {keySequence} is not stored in canonical form: its bytes were changed."));
            }
            else if (previousHash is not null && !string.Equals(previousHash, record.PreviousHash, StringComparison.Ordinal))
            {
                problems.Add(new AuditProblem(keySequence, AuditProblemKind.Reordered, keySequence == 1
                    ? "Record 1 does not start the chain (its previous hash is not the genesis hash)."
                    : $"Record {keySequence} does not follow record {keySequence - 1}: previous hash {record.PreviousHash}, expected {previousHash} (records reordered, or record {keySequence - 1} rewritten with a recomputed hash)."));
            }

            if (pending is not null && pending.Sequence == keySequence)
            {
                checkpointsChecked++;
                if (!string.Equals(pending.Hash, record.Hash, StringComparison.Ordinal))
                {
                    problems.Add(new AuditProblem(keySequence, AuditProblemKind.Truncated, $"Checkpoint {keySequence} pins hash {pending.Hash}, but record {keySequence} has {record.Hash}: the chain was rewritten or the checkpoint forged."));
                }

                pending = await NextAsync(checkpoints).ConfigureAwait(false);
            }

            previousHash = record.Hash;
            lastHash = record.Hash;
        }

        while (pending is not null)
        {
            checkpointsChecked++;
            problems.Add(new AuditProblem(pending.Sequence, AuditProblemKind.Truncated, $"Checkpoint {pending.Sequence} pins a record beyond the end of the log (last record {last}): the tail was removed."));
            pending = await NextAsync(checkpoints).ConfigureAwait(false);
        }

        return new AuditVerification
        {
            CheckedAt = _time.GetUtcNow(),
            RecordsChecked = records,
            CheckpointsChecked = checkpointsChecked,
            LastSequence = last,
            LastHash = lastHash,
            Problems = problems.Items,
            ProblemsTruncated = problems.Overflow,
        };

        static async ValueTask<AuditCheckpoint?> NextAsync(IAsyncEnumerator<AuditCheckpoint> e)
            => await e.MoveNextAsync().ConfigureAwait(false) ? e.Current : null;
    }

    /// <summary>Every readable checkpoint in sequence order; problems of the checkpoint objects themselves go to <paramref name="problems"/>.</summary>
    private async IAsyncEnumerable<AuditCheckpoint> ReadCheckpointsAsync(ProblemList problems, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await foreach (var item in _store.ListAsync(CheckpointsPrefix, cancellationToken: cancellationToken).ConfigureAwait(false))
        {
            if (ParseSequence(item.Key, CheckpointsPrefix) is not { } keySequence)
            {
                problems.Add(new AuditProblem(0, AuditProblemKind.Unreadable, $"Unexpected object '{item.Key}' among the audit checkpoints."));
                continue;
            }

            AuditCheckpoint checkpoint;
            try
            {
                var bytes = await ReadBytesAsync(item.Key, cancellationToken).ConfigureAwait(false) ?? throw new FormatException("the object vanished during verification");
                checkpoint = AuditCodec.DeserializeCheckpoint(bytes);
            }
            catch (FormatException ex)
            {
                problems.Add(new AuditProblem(keySequence, AuditProblemKind.Unreadable, $"Checkpoint {keySequence}: {ex.Message}"));
                continue;
            }

            if (checkpoint.Sequence != keySequence)
            {
                problems.Add(new AuditProblem(keySequence, AuditProblemKind.Reordered, $"The object of checkpoint {keySequence} holds checkpoint {checkpoint.Sequence}."));
                continue;
            }

            CheckSignature(checkpoint, problems);
            yield return checkpoint;
        }
    }

    private void CheckSignature(AuditCheckpoint checkpoint, ProblemList problems)
    {
        if (checkpoint.Signature is null)
        {
            problems.Add(new AuditProblem(checkpoint.Sequence, AuditProblemKind.Unsigned,
                _signer is null
                    ? $"Checkpoint {checkpoint.Sequence} is unsigned (no signing certificate is configured: Archive:Audit:SigningCertificatePath)."
                    : $"Checkpoint {checkpoint.Sequence} is unsigned (written before a signing certificate was configured, or forged).",
                IsWarning: _signer is null));
            return;
        }

        try
        {
            var cms = new SignedCms(new ContentInfo(AuditCodec.CheckpointContent(checkpoint.Sequence, checkpoint.Hash, checkpoint.Timestamp)), detached: true);
            cms.Decode(Convert.FromBase64String(checkpoint.Signature));
            cms.CheckSignature(verifySignatureOnly: true);
            if (cms.SignerInfos.Count != 1 || cms.SignerInfos[0].Certificate is not { } certificate)
            {
                problems.Add(new AuditProblem(checkpoint.Sequence, AuditProblemKind.BadSignature, $"Checkpoint {checkpoint.Sequence}: the signature must carry exactly one signer with its certificate."));
                return;
            }

            var thumbprint = Thumbprint(certificate);
            if (_trusted.Count == 0)
            {
                problems.Add(new AuditProblem(checkpoint.Sequence, AuditProblemKind.BadSignature,
                    $"Checkpoint {checkpoint.Sequence} is signed by '{certificate.Subject}' ({thumbprint}), but no trusted signer is configured to check it against.", IsWarning: true));
            }
            else if (!_trusted.Contains(thumbprint))
            {
                problems.Add(new AuditProblem(checkpoint.Sequence, AuditProblemKind.BadSignature,
                    $"Checkpoint {checkpoint.Sequence} is signed by '{certificate.Subject}' ({thumbprint}), which is not a trusted audit signer."));
            }
        }
        catch (Exception ex) when (ex is CryptographicException or FormatException)
        {
            problems.Add(new AuditProblem(checkpoint.Sequence, AuditProblemKind.BadSignature, $"Checkpoint {checkpoint.Sequence}: the signature does not verify ({ex.Message})."));
        }
    }

    private sealed class ProblemList(int max)
    {
        private readonly List<AuditProblem> _items = [];

        public bool Overflow { get; private set; }

        public IReadOnlyList<AuditProblem> Items => _items.OrderBy(p => p.Sequence).ToList();

        public void Add(AuditProblem problem)
        {
            if (_items.Count >= max)
            {
                Overflow |= !problem.IsWarning;
                return;
            }

            _items.Add(problem);
        }
    }
}
