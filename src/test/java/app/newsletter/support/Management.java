package app.newsletter.support;

import static io.restassured.RestAssured.given;

import org.eclipse.microprofile.config.ConfigProvider;

import io.restassured.specification.RequestSpecification;

/** Requests to the management interface (health, metrics, OpenAPI), which listens apart from the public port. */
public final class Management {

    private Management() {
    }

    /** @return a request to the running test instance's management port */
    public static RequestSpecification management() {
        return given().baseUri("http://localhost").port(port());
    }

    /** @return the port the management interface of the running test instance bound */
    public static int port() {
        int port = ConfigProvider.getConfig().getValue("quarkus.management.test-port", Integer.class);
        if (port <= 0) {
            throw new IllegalStateException("the management interface reports no bound port");
        }
        return port;
    }
}
