package dev.silk.interop.dubbo;

import java.io.Serializable;
import java.util.Objects;

public class Address implements Serializable {
    private String city;
    private String zip;

    public Address() {}

    public Address(String city, String zip) {
        this.city = city;
        this.zip = zip;
    }

    public String getCity() { return city; }
    public String getZip() { return zip; }

    @Override
    public boolean equals(Object o) {
        return o instanceof Address a && Objects.equals(city, a.city) && Objects.equals(zip, a.zip);
    }

    @Override
    public int hashCode() { return Objects.hash(city, zip); }

    @Override
    public String toString() { return "Address{" + city + "," + zip + "}"; }
}
