package app.newsletter.platform;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;

import org.hibernate.HibernateException;
import org.hibernate.engine.spi.SessionFactoryImplementor;
import org.hibernate.query.named.NamedObjectRepository;
import org.junit.jupiter.api.Test;

import io.quarkus.test.junit.QuarkusTest;

/**
 * Every named query translates against the mapped model. The service does not check them at start-up
 * ({@code hibernate.query.startup_check=false}: translating them all cost a few hundred milliseconds of every start),
 * so a query that no longer fits an entity is caught here, in the build, instead of at its first use.
 */
@QuarkusTest
class NamedQueriesTest {

    @Inject
    EntityManager em;

    @Test
    void every_named_query_translates_against_the_model() {
        SessionFactoryImplementor factory = em.getEntityManagerFactory().unwrap(SessionFactoryImplementor.class);
        NamedObjectRepository named = factory.getQueryEngine().getNamedObjectRepository();
        List<String> names = new ArrayList<>();
        named.visitSqmQueryMementos(memento -> names.add(memento.getRegistrationName()));
        named.visitNativeQueryMementos(memento -> names.add(memento.getRegistrationName()));

        Map<String, HibernateException> errors = named.checkNamedQueries(factory.getQueryEngine());

        assertEquals(Map.of(), errors);
        // The service declares 22 (JPQL on the entities, native where a statement needs PostgreSQL).
        assertTrue(names.size() >= 22, "named queries found: " + names);
        assertTrue(names.contains("Subscriber.totalsByListAndStatus"), names.toString());
    }
}
