package app.newsletter.apikeys;

import java.time.Instant;

import jakarta.persistence.Entity;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import jakarta.persistence.NamedQuery;
import jakarta.persistence.Table;

import org.hibernate.annotations.JdbcTypeCode;
import org.hibernate.type.SqlTypes;

import io.quarkus.hibernate.orm.panache.PanacheEntityBase;

/**
 * One row of {@code api_key}, read and written only through {@link ApiKeys} (Panache: making, listing and revoking
 * keys is a cold path; the per-request use is one native statement there).
 */
@Entity
@Table(name = "api_key")
@NamedQuery(name = "ApiKey.all", query = "from ApiKey order by id desc")
@NamedQuery(name = "ApiKey.revoke", query = """
        update ApiKey set revokedAt = ?2, revokedBy = ?3 where id = ?1 and revokedAt is null""")
class ApiKey extends PanacheEntityBase {

    @Id
    @GeneratedValue(strategy = GenerationType.IDENTITY)
    public Long id;
    public String name;
    /** SHA-256 of the whole key; the key itself is stored nowhere. */
    public byte[] keyHash;
    /** The key's first characters, not secret: how staff recognise a key in a listing. */
    public String prefix;
    /** Lower-case {@link Scope} labels, as the column's check constraint allows them. */
    @JdbcTypeCode(SqlTypes.ARRAY)
    public String[] scopes;
    /** The one list the key may use, or null for every list. */
    public String listId;
    public Instant createdAt;
    public String createdBy;
    public Instant revokedAt;
    public String revokedBy;
    public long useCount;
    public Instant lastUsedAt;
}
